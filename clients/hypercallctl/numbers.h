// Parsing of the numbers users type on the command line: register values,
// function IDs, counts and durations. Every error names the argument and
// says why, so the user knows what to fix.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_NUMBERS_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_NUMBERS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace hypercall::ctl {

// Parses `text` as an unsigned 64-bit number: decimal ("192", leading zeros
// are still decimal) or 0x-hex ("0xC0"). `label` names the argument in the
// error ("X2", "--count"). InvalidArgument for anything else, for a sign,
// and for values beyond 64 bits.
absl::StatusOr<uint64_t> ParseNumber(const std::string& text, const std::string& label);

// ParseNumber, then InvalidArgument unless min <= value <= max.
absl::StatusOr<uint64_t> ParseNumberInRange(const std::string& text, const std::string& label,
                                            uint64_t min, uint64_t max);

// A function ID: a number that fits in 32 bits (it is w0), or the name of a
// known call, any case ("TRNG_RND64", "psci_version").
absl::StatusOr<uint32_t> ParseFunctionId(const std::string& text, const std::string& label);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_NUMBERS_H_
