#include "hypercallctl/ranges_command.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_writer.h"
#include "hypercallctl/register_format.h"
#include "hypercallctl/table.h"
#include "smccc/function_id.h"
#include "smccc/known_calls.h"
#include "wire/convert.h"

namespace hypercall::ctl {
namespace {

std::string OwnerOfRange(uint32_t first, uint32_t last) {
  if (smccc::OwnerOf(first) != smccc::OwnerOf(last)) return "mixed";
  return smccc::OwnerName(smccc::OwnerOf(first));
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

absl::Status RunRanges(const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> daemon =
      DaemonConnection::Open(options, wire::kObserverSocketName);
  if (!daemon.ok()) return daemon.status();
  auto stub = v1::ObserverService::NewStub(daemon->channel());
  v1::ListRangesRequest request;
  *request.mutable_hello() = ClientHello();
  v1::ListRangesReply reply;
  const grpc::Status status = stub->ListRanges(daemon->NewContext().get(), request, &reply);
  if (!status.ok()) return daemon->RpcFailure(status, "ListRanges");
  return WriteStdout(RenderRanges(reply, options.json));
}

}  // namespace

absl::StatusOr<PreparedCommand> ParseRangesCommand(const std::vector<std::string>& args) {
  return NoArguments("ranges", args, RunRanges);
}

uint32_t LastFunctionId(const v1::RangeInfo& range) {
  const uint64_t last = uint64_t{range.first_function_id()} + std::max(range.count(), 1u) - 1;
  return static_cast<uint32_t>(std::min<uint64_t>(last, UINT32_MAX));
}

std::vector<std::string> KnownNamesInRange(uint32_t first, uint32_t count, bool& truncated) {
  truncated = count > kMaxIdsScannedForNames;
  const uint64_t end = uint64_t{first} + std::min<uint64_t>(count, kMaxIdsScannedForNames);
  std::vector<std::string> names;
  for (uint64_t id = first; id < end; ++id) {
    const uint32_t fid = static_cast<uint32_t>(id);
    if (smccc::HasSveHint(fid)) continue;
    if (std::optional<std::string_view> name = smccc::KnownCallName(fid)) {
      std::string text(*name);
      if (std::find(names.begin(), names.end(), text) == names.end()) names.push_back(text);
    }
  }
  return names;
}

std::string RangeKind(uint32_t first, uint32_t last) {
  if (smccc::IsFastCall(first) != smccc::IsFastCall(last) ||
      smccc::IsSmc64(first) != smccc::IsSmc64(last)) {
    return "mixed";
  }
  return absl::StrFormat("%s %s", smccc::IsFastCall(first) ? "fast" : "yielding",
                         smccc::IsSmc64(first) ? "SMC64" : "SMC32");
}

std::string MemoryOperands(const v1::RangeInfo& range) {
  if (range.memory().empty()) return "-";
  std::string out;
  for (const v1::MemoryOperand& op : range.memory()) {
    absl::StrAppendFormat(&out, "%sx%u:%u%s", out.empty() ? "" : ",", op.address_register(),
                          op.length(), wire::DirectionName(op.direction()));
    if (op.when_mask() != 0) {
      absl::StrAppendFormat(&out, "[x%u&0x%x=0x%x]", op.when_register(), op.when_mask(),
                            op.when_value());
    }
  }
  return out;
}

std::string RenderRanges(const v1::ListRangesReply& reply, bool json) {
  if (json) {
    JsonWriter out;
    out.BeginObject().Key("ranges").BeginArray();
    for (const v1::RangeInfo& range : reply.ranges()) {
      const uint32_t first = range.first_function_id();
      const uint32_t last = LastFunctionId(range);
      bool truncated = false;
      const std::vector<std::string> names = KnownNamesInRange(first, range.count(), truncated);
      out.BeginObject()
          .HexField("first", first)
          .HexField("last", last)
          .NumberField("count", range.count())
          .Field("provider", range.provider())
          .HexField("args_read_mask", range.args_read_mask())
          .Key("args")
          .BeginArray();
      for (int i : RegistersIn(range.args_read_mask())) out.String(RegisterName(i));
      out.EndArray()
          .Field("owner", OwnerOfRange(first, last))
          .NumberField("owner_id", smccc::OwnerOf(first))
          .BoolField("fast", smccc::IsFastCall(first))
          .BoolField("smc64", smccc::IsSmc64(first))
          .Key("names")
          .BeginArray();
      for (const std::string& name : names) out.String(name);
      out.EndArray().BoolField("names_truncated", truncated).Key("memory").BeginArray();
      for (const v1::MemoryOperand& op : range.memory()) {
        out.BeginObject()
            .NumberField("address_register", op.address_register())
            .NumberField("length", op.length())
            .Field("direction", wire::DirectionName(op.direction()));
        if (op.when_mask() != 0) {
          out.NumberField("when_register", op.when_register())
              .HexField("when_mask", op.when_mask())
              .HexField("when_value", op.when_value());
        }
        if (op.has_bad_address_x0()) out.HexField("bad_address_x0", op.bad_address_x0());
        out.EndObject();
      }
      out.EndArray().EndObject();
    }
    out.EndArray().EndObject();
    return out.str() + "\n";
  }
  Table table({"FIRST", "LAST", "COUNT", "PROVIDER", "ARGS", "MEMORY", "OWNER", "KIND", "NAMES"});
  for (const v1::RangeInfo& range : reply.ranges()) {
    const uint32_t first = range.first_function_id();
    const uint32_t last = LastFunctionId(range);
    bool truncated = false;
    std::string names = Join(KnownNamesInRange(first, range.count(), truncated));
    if (truncated) names += " ...";
    table.AddRow({absl::StrFormat("0x%08x", first), absl::StrFormat("0x%08x", last),
                  absl::StrFormat("%u", range.count()), range.provider(),
                  RegisterRanges(range.args_read_mask()), MemoryOperands(range),
                  OwnerOfRange(first, last), RangeKind(first, last), names.empty() ? "-" : names});
  }
  return table.Render();
}

}  // namespace hypercall::ctl
