// `hypercallctl ranges`: the daemon's range table, decoded: which provider
// owns which function IDs, the registers and guest memory its calls pass,
// whether traces show their results or keep them secret, their SMCCC owner and calling convention,
// and the known calls inside each range.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hypercall/v1/observer.pb.h"
#include "hypercallctl/command.h"

namespace hypercall::ctl {

CommandCheck DefineRangesCommand(CLI::App& command);

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

// The guest memory operands calls in `range` pass, for the table:
// "x1:64in,x2:64out", a condition as "x2:16out[x1&0x1=0x0]", "-" for none.
std::string MemoryOperands(const v1::RangeInfo& range);

// A table (or, json, one object {"ranges": [...]} and '\n'; each range's
// "memory" lists its operands; RESULTS / "secret_results" say whether traces
// withhold its result registers past x0 from every observer).
std::string RenderRanges(const v1::ListRangesReply& reply, bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_RANGES_COMMAND_H_
