// The one way the programs here parse a command line: CLI11 options and
// subcommands, with usage errors worded alike in every program. Each
// program keeps its own usage text, so --help is a plain flag it defines.
#ifndef HYPERCALL_CMDLINE_PARSE_H_
#define HYPERCALL_CMDLINE_PARSE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hypercall::cmdline {

// Sets `app` (and the subcommands added after this) up as every program
// here parses: options take their value as the next argument or after '=',
// the last of a repeated option wins, flags take no value, and CLI11's own
// --help is off. Call before adding options.
void Configure(CLI::App& app);

// Parses `args` (without the program name) into `app`'s options.
// InvalidArgument for usage errors, in one wording: "unknown argument 'X'",
// "--flag needs a value", "--flag takes no value"; CLI11's text otherwise.
absl::Status Parse(CLI::App& app, const std::vector<std::string>& args);

// `text`, the value given to `flag`, as a decimal whole number from min to
// max; InvalidArgument "FLAG must be a whole number from MIN to MAX (got
// 'TEXT')" otherwise.
absl::StatusOr<uint64_t> WholeNumber(const char* flag, const std::string& text, uint64_t min,
                                     uint64_t max);

}  // namespace hypercall::cmdline

#endif  // HYPERCALL_CMDLINE_PARSE_H_
