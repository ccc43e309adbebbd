#include "hypercallctl/ranges_command.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_line.h"
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

CommandCheck DefineRangesCommand(CLI::App& /*command*/) { return NothingToCheck(RunRanges); }

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
    Json ranges = Json::array();
    for (const v1::RangeInfo& range : reply.ranges()) {
      const uint32_t first = range.first_function_id();
      const uint32_t last = LastFunctionId(range);
      bool truncated = false;
      const std::vector<std::string> names = KnownNamesInRange(first, range.count(), truncated);
      Json args = Json::array();
      for (int i : RegistersIn(range.args_read_mask())) args.push_back(RegisterName(i));
      Json memory = Json::array();
      for (const v1::MemoryOperand& op : range.memory()) {
        Json operand = {{"address_register", op.address_register()},
                        {"length", op.length()},
                        {"direction", wire::DirectionName(op.direction())}};
        if (op.when_mask() != 0) {
          operand["when_register"] = op.when_register();
          operand["when_mask"] = Hex(op.when_mask());
          operand["when_value"] = Hex(op.when_value());
        }
        if (op.has_bad_address_x0()) operand["bad_address_x0"] = Hex(op.bad_address_x0());
        memory.push_back(std::move(operand));
      }
      ranges.push_back({{"first", Hex(first)},
                        {"last", Hex(last)},
                        {"count", range.count()},
                        {"provider", range.provider()},
                        {"args_read_mask", Hex(range.args_read_mask())},
                        {"args", std::move(args)},
                        {"owner", OwnerOfRange(first, last)},
                        {"owner_id", smccc::OwnerOf(first)},
                        {"fast", smccc::IsFastCall(first)},
                        {"smc64", smccc::IsSmc64(first)},
                        {"names", names},
                        {"names_truncated", truncated},
                        {"memory", std::move(memory)},
                        {"secret_results", range.secret_results()}});
    }
    return JsonLine({{"ranges", std::move(ranges)}});
  }
  Table table({"FIRST", "LAST", "COUNT", "PROVIDER", "ARGS", "MEMORY", "RESULTS", "OWNER", "KIND",
               "NAMES"});
  for (const v1::RangeInfo& range : reply.ranges()) {
    const uint32_t first = range.first_function_id();
    const uint32_t last = LastFunctionId(range);
    bool truncated = false;
    std::string names = Join(KnownNamesInRange(first, range.count(), truncated));
    if (truncated) names += " ...";
    table.AddRow({absl::StrFormat("0x%08x", first), absl::StrFormat("0x%08x", last),
                  absl::StrFormat("%u", range.count()), range.provider(),
                  RegisterRanges(range.args_read_mask()), MemoryOperands(range),
                  range.secret_results() ? "secret" : "shown", OwnerOfRange(first, last),
                  RangeKind(first, last), names.empty() ? "-" : names});
  }
  return table.Render();
}

}  // namespace hypercall::ctl
