#include "hypercallctl/trace_line.h"

#include <optional>

#include "absl/strings/str_format.h"
#include "hypercallctl/json_writer.h"
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

// `key`: [{"operand":0,"address":"0x...","length":64,"direction":"in"}, ...],
// left out without buffers.
void MemoryJson(JsonWriter& out, std::string_view key,
                const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& memory) {
  if (memory.empty()) return;
  out.Key(key).BeginArray();
  for (const v1::MemoryBytes& buffer : memory) {
    out.BeginObject()
        .NumberField("operand", buffer.operand())
        .HexField("address", buffer.guest_phys_addr())
        .NumberField("length", buffer.length())
        .Field("direction", wire::DirectionName(buffer.direction()))
        .EndObject();
  }
  out.EndArray();
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
  JsonWriter out;
  out.BeginObject()
      .Key("unix_nanos")
      .SignedNumber(event.unix_nanos())
      .Field("time", TimeOfDay(event.unix_nanos()))
      .Field("vm", call.vm())
      .NumberField("vcpu", call.vcpu())
      .Field("conduit", ConduitName(call.conduit()))
      .HexField("function_id", call.function_id())
      .Field("name", smccc::CallName(call.function_id()))
      .Key("args")
      .BeginObject();
  for (int i : ArgumentsRead(call)) out.HexField(RegisterName(i), Argument(call, i));
  out.EndObject();
  MemoryJson(out, "memory", call.memory());
  out.Key("result").BeginObject();
  for (int i : RegistersWritten(result)) out.HexField(RegisterName(i), ResultRegister(result, i));
  out.EndObject();
  MemoryJson(out, "result_memory", result.memory());
  out.Key("x0_name");
  if (std::optional<std::string_view> code =
          smccc::ReturnCodeName(call.function_id(), ResultRegister(result, 0))) {
    out.String(*code);
  } else {
    out.Null();
  }
  out.Key("provider");
  if (event.provider().empty()) {
    out.Null();
  } else {
    out.String(event.provider());
  }
  out.NumberField("latency_ns", event.latency_nanos())
      .NumberField("dropped_before", event.dropped_before())
      .EndObject();
  return out.str() + "\n";
}

}  // namespace hypercall::ctl
