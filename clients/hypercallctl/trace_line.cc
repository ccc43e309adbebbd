#include "hypercallctl/trace_line.h"

#include <optional>

#include "absl/strings/str_format.h"
#include "hypercallctl/json_line.h"
#include "hypercallctl/register_format.h"
#include "hypercallctl/table.h"
#include "hypercallctl/time_format.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"
#include "wire/convert.h"

namespace hypercall::ctl {
namespace {

// x(i) of the call; registers past the end of the list are zero.
uint64_t Argument(const v1::Call& call, int i) {
  return i >= 1 && i <= call.args_size() ? call.args(i - 1) : 0;
}

uint64_t ResultRegister(const v1::Result& result, int i) {
  return i < result.regs_size() ? result.regs(i) : 0;
}

// Arguments the shim read (x0 is the function ID, never an argument).
std::vector<int> ArgumentsRead(const v1::Call& call) {
  return RegistersIn(call.args_read_mask() & smccc::kAllArgRegisters);
}

// Registers the result writes, x0 first.
std::vector<int> RegistersWritten(const v1::Result& result) {
  return RegistersIn((result.written_mask() | 1) & smccc::kAllResultRegisters);
}

// " mem 0x40001000:64in 0x40002000:64out", or "" without buffers.
std::string MemoryText(const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& memory) {
  std::string out;
  for (const v1::MemoryBytes& buffer : memory) {
    absl::StrAppendFormat(&out, "%s%s:%u%s", out.empty() ? " mem " : " ",
                          Hex(buffer.guest_phys_addr()), buffer.length(),
                          wire::DirectionName(buffer.direction()));
  }
  return out;
}

// [{"operand":0,"address":"0x...","length":64,"direction":"in"}, ...].
Json MemoryJson(const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& memory) {
  Json out = Json::array();
  for (const v1::MemoryBytes& buffer : memory) {
    out.push_back({{"operand", buffer.operand()},
                   {"address", Hex(buffer.guest_phys_addr())},
                   {"length", buffer.length()},
                   {"direction", wire::DirectionName(buffer.direction())}});
  }
  return out;
}

}  // namespace

std::string FormatTraceLine(const v1::TraceEvent& event) {
  const v1::Call& call = event.call();
  const v1::Result& result = event.result();
  std::string args;
  for (int i : ArgumentsRead(call)) {
    args += absl::StrFormat("%s%s=%s", args.empty() ? "" : " ", RegisterName(i),
                            Hex(Argument(call, i)));
  }
  std::string written = "x0=" + DescribeX0(call.function_id(), ResultRegister(result, 0));
  for (int i : RegistersWritten(result)) {
    if (i == 0) continue;
    written += absl::StrFormat(" %s=%s", RegisterName(i), Hex(ResultRegister(result, i)));
  }
  const std::string provider = event.provider().empty() ? "unowned" : event.provider();
  return Printable(absl::StrFormat(
             "%s %s vcpu%u %s %s(%s)%s -> %s%s [%s] %s", TimeOfDay(event.unix_nanos()), call.vm(),
             call.vcpu(), ConduitName(call.conduit()), smccc::CallName(call.function_id()), args,
             MemoryText(call.memory()), written, MemoryText(result.memory()), provider,
             Latency(event.latency_nanos()))) +
         "\n";
}

std::string FormatDroppedLine(uint64_t dropped) {
  return absl::StrFormat("%u event%s dropped\n", dropped, dropped == 1 ? "" : "s");
}

std::string FormatTraceJson(const v1::TraceEvent& event) {
  const v1::Call& call = event.call();
  const v1::Result& result = event.result();
  Json out = {{"unix_nanos", event.unix_nanos()},
              {"time", TimeOfDay(event.unix_nanos())},
              {"vm", call.vm()},
              {"vcpu", call.vcpu()},
              {"conduit", ConduitName(call.conduit())},
              {"function_id", Hex(call.function_id())},
              {"name", smccc::CallName(call.function_id())},
              {"args", Json::object()}};
  for (int i : ArgumentsRead(call)) out["args"][RegisterName(i)] = Hex(Argument(call, i));
  if (!call.memory().empty()) out["memory"] = MemoryJson(call.memory());
  out["result"] = Json::object();
  for (int i : RegistersWritten(result))
    out["result"][RegisterName(i)] = Hex(ResultRegister(result, i));
  if (!result.memory().empty()) out["result_memory"] = MemoryJson(result.memory());
  const std::optional<std::string_view> code =
      smccc::ReturnCodeName(call.function_id(), ResultRegister(result, 0));
  out["x0_name"] = code ? Json(*code) : nullptr;
  out["provider"] = event.provider().empty() ? Json(nullptr) : Json(event.provider());
  out["latency_ns"] = event.latency_nanos();
  out["dropped_before"] = event.dropped_before();
  return JsonLine(out);
}

}  // namespace hypercall::ctl
