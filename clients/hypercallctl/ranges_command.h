// `hypercallctl ranges`: the daemon's range table, decoded: which provider
// owns which function IDs, their SMCCC owner and calling convention, and
// the known calls inside each range.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hypercall/v1/observer.pb.h"
#include "hypercallctl/command.h"

namespace hypercall::ctl {

absl::StatusOr<PreparedCommand> ParseRangesCommand(const std::vector<std::string>& args);

// The last function ID of `range` (the first when count is 0, which no sane
// daemon sends).
uint32_t LastFunctionId(const v1::RangeInfo& range);

// The names of known calls in [first, first + count), in ID order, each once
// (IDs with the SVE hint are the same calls). Only the first
// kMaxIdsScannedForNames IDs are looked at; `truncated` says whether the
// range was longer.
inline constexpr uint64_t kMaxIdsScannedForNames = 1 << 16;
std::vector<std::string> KnownNamesInRange(uint32_t first, uint32_t count, bool& truncated);

// "fast SMC64", "yielding SMC32", or "mixed" when the range spans both.
std::string RangeKind(uint32_t first, uint32_t last);

// A table (or, json, one object {"ranges": [...]} and '\n').
std::string RenderRanges(const v1::ListRangesReply& reply, bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_
