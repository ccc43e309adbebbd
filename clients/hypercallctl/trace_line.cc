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

// Result registers past x0 that the event leaves out, and why: "secret"
// (the provider's, for every watcher) or "withheld" (not granted to this
// one); nullptr when the event has them all.
const char* ResultsLeftOut(const v1::TraceEvent& event) {
  if (event.results_secret()) return "secret";
  if (event.registers_withheld()) return "withheld";
  return nullptr;
}

// " mem 0x40001000:64in 0x40002000:64out", or "" without buffers; without
// the addresses (" mem 64in 64out") when they are withheld.
std::string MemoryText(const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& memory,
                       bool withheld) {
  std::string out;
  for (const v1::MemoryBytes& buffer : memory) {
    absl::StrAppendFormat(&out, "%s%s%u%s", out.empty() ? " mem " : " ",
                          withheld ? "" : Hex(buffer.guest_phys_addr()) + ":", buffer.length(),
                          wire::DirectionName(buffer.direction()));
  }
  return out;
}

// [{"operand":0,"address":"0x...","length":64,"direction":"in"}, ...];
// "address" is null when withheld.
Json MemoryJson(const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& memory, bool withheld) {
  Json out = Json::array();
  for (const v1::MemoryBytes& buffer : memory) {
    out.push_back({{"operand", buffer.operand()},
                   {"address", withheld ? Json(nullptr) : Json(Hex(buffer.guest_phys_addr()))},
                   {"length", buffer.length()},
                   {"direction", wire::DirectionName(buffer.direction())}});
  }
  return out;
}

}  // namespace

std::string FormatTraceLine(const v1::TraceEvent& event) {
  const v1::Call& call = event.call();
  const v1::Result& result = event.result();
  const bool withheld = event.registers_withheld();
  std::string args;
  if (withheld) {
    const smccc::RegisterMask read = call.args_read_mask() & smccc::kAllArgRegisters;
    if (read != 0) args = RegisterRanges(read) + " withheld";
  } else {
    for (int i : ArgumentsRead(call)) {
      args += absl::StrFormat("%s%s=%s", args.empty() ? "" : " ", RegisterName(i),
                              Hex(Argument(call, i)));
    }
  }
  std::string written = "x0=" + DescribeX0(call.function_id(), ResultRegister(result, 0));
  if (const char* left_out = ResultsLeftOut(event); left_out != nullptr) {
    const smccc::RegisterMask past_x0 = result.written_mask() & smccc::kAllArgRegisters;
    if (past_x0 != 0) absl::StrAppend(&written, " ", RegisterRanges(past_x0), " ", left_out);
  } else {
    for (int i : RegistersWritten(result)) {
      if (i == 0) continue;
      written += absl::StrFormat(" %s=%s", RegisterName(i), Hex(ResultRegister(result, i)));
    }
  }
  const std::string provider = event.provider().empty() ? "unowned" : event.provider();
  return Printable(absl::StrFormat(
             "%s %s vcpu%u %s %s(%s)%s -> %s%s [%s] %s", TimeOfDay(event.unix_nanos()), call.vm(),
             call.vcpu(), ConduitName(call.conduit()), smccc::CallName(call.function_id()), args,
             MemoryText(call.memory(), withheld), written, MemoryText(result.memory(), withheld),
             provider, Latency(event.latency_nanos()))) +
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
  const bool withheld = event.registers_withheld();
  for (int i : ArgumentsRead(call)) {
    out["args"][RegisterName(i)] = withheld ? Json(nullptr) : Json(Hex(Argument(call, i)));
  }
  if (!call.memory().empty()) out["memory"] = MemoryJson(call.memory(), withheld);
  out["result"] = Json::object();
  const bool results_left_out = ResultsLeftOut(event) != nullptr;
  for (int i : RegistersWritten(result)) {
    out["result"][RegisterName(i)] =
        i != 0 && results_left_out ? Json(nullptr) : Json(Hex(ResultRegister(result, i)));
  }
  if (!result.memory().empty()) out["result_memory"] = MemoryJson(result.memory(), withheld);
  const std::optional<std::string_view> code =
      smccc::ReturnCodeName(call.function_id(), ResultRegister(result, 0));
  out["x0_name"] = code ? Json(*code) : nullptr;
  out["provider"] = event.provider().empty() ? Json(nullptr) : Json(event.provider());
  out["latency_ns"] = event.latency_nanos();
  out["dropped_before"] = event.dropped_before();
  out["registers_withheld"] = withheld;
  out["results_secret"] = event.results_secret();
  return JsonLine(out);
}

}  // namespace hypercall::ctl
