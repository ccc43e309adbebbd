#include "hypercallctl/call_output.h"

#include <optional>

#include "absl/strings/str_format.h"
#include "hypercallctl/json_line.h"
#include "hypercallctl/register_format.h"
#include "hypercallctl/table.h"
#include "smccc/function_id.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"

namespace hypercall::ctl {
namespace {

std::string ConduitOf(const smccc::Call& call) {
  return call.conduit == smccc::Conduit::kSmc ? "SMC" : "HVC";
}

// "x1=0xc0 x2=0x1", or "none".
std::string ArgumentsText(const smccc::Call& call) {
  std::string out;
  for (int i : RegistersIn(call.args_read_mask)) {
    out += absl::StrFormat("%s%s=%s", out.empty() ? "" : " ", RegisterName(i), Hex(call.x[i]));
  }
  return out.empty() ? "none" : out;
}

std::string ProviderText(const TestCallOutcome& outcome) {
  if (!outcome.planned_range) {
    return "none: the ID is in no range of the VM's forwarding plan (a real VMM would not "
           "forward it)";
  }
  const v1::PlannedRange& range = *outcome.planned_range;
  return absl::StrFormat("%s (range 0x%08x-0x%08x)", range.provider(), range.first_function_id(),
                         uint64_t{range.first_function_id()} + range.count() - 1);
}

std::string RenderJson(const CallRequest& request, const TestCallOutcome& outcome,
                       const std::array<uint64_t, smccc::kNumRegisters>& registers) {
  const smccc::Call& call = request.call;
  const smccc::Result& result = outcome.result;
  Json out = {{"function_id", Hex(call.function_id)},
              {"name", smccc::CallName(call.function_id)},
              {"conduit", ConduitOf(call)},
              {"vm", request.vm_name},
              {"vcpu", 0},
              {"args", Json::object()}};
  for (int i : RegistersIn(call.args_read_mask)) out["args"][RegisterName(i)] = Hex(call.x[i]);
  out["provider"] = outcome.planned_range ? Json(outcome.planned_range->provider()) : nullptr;
  for (int i = 0; i < smccc::kNumRegisters; ++i) out[RegisterName(i)] = Hex(registers[i]);
  out["written_mask"] = Hex(result.written_mask);
  out["written"] = Json::array();
  for (int i : RegistersIn(result.written_mask)) out["written"].push_back(RegisterName(i));
  const std::optional<std::string_view> code = smccc::ReturnCodeName(call.function_id, result.x[0]);
  out["x0_name"] = code ? Json(*code) : nullptr;
  return JsonLine(out);
}

}  // namespace

std::array<uint64_t, smccc::kNumRegisters> GuestRegistersAfter(const smccc::Call& call,
                                                               const smccc::Result& result) {
  std::array<uint64_t, smccc::kNumRegisters> registers = call.x;
  for (int i : RegistersIn(result.written_mask | 1)) registers[i] = result.x[i];
  return registers;
}

std::string RenderCallOutcome(const CallRequest& request, const TestCallOutcome& outcome,
                              bool json) {
  const std::array<uint64_t, smccc::kNumRegisters> registers =
      GuestRegistersAfter(request.call, outcome.result);
  if (json) return RenderJson(request, outcome, registers);

  const smccc::Call& call = request.call;
  const smccc::Result& result = outcome.result;
  std::string out = RenderKeyValues({
      {"call", absl::StrFormat("%s 0x%08x (%s)", smccc::CallName(call.function_id),
                               call.function_id, smccc::DescribeFunctionId(call.function_id))},
      {"conduit", ConduitOf(call)},
      {"vm", absl::StrFormat("%s, vCPU 0", request.vm_name)},
      {"args", ArgumentsText(call)},
      {"provider", ProviderText(outcome)},
      {"result", DescribeX0(call.function_id, result.x[0])},
      {"written", RegisterRanges(result.written_mask)},
  });
  Table table({"REG", "VALUE", "WRITTEN"});
  for (int i = 0; i < smccc::kNumRegisters; ++i) {
    const bool written = (result.written_mask >> i) & 1;
    table.AddRow(
        {RegisterName(i), absl::StrFormat("0x%016x", registers[i]), written ? "yes" : "-"});
  }
  return out + "\n" + table.Render();
}

}  // namespace hypercall::ctl
