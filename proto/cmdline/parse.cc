#include "cmdline/parse.h"

#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace hypercall::cmdline {
namespace {

// CLI11 2.1 names the option at the start of its argument-count errors
// ("--runtime-dir: 1 required TEXT missing") and, without dashes, in flag
// value errors ("stats was given a disallowed flag override").
constexpr char kFlagOverride[] = " was given a disallowed flag override";

std::string Reworded(const CLI::ArgumentMismatch& error) {
  absl::string_view text = error.what();
  if (absl::ConsumeSuffix(&text, kFlagOverride)) {
    return absl::StrCat(text.size() == 1 ? "-" : "--", text, " takes no value");
  }
  if (absl::StrContains(text, " required ") && absl::EndsWith(text, " missing")) {
    return absl::StrCat(text.substr(0, text.find(':')), " needs a value");
  }
  return std::string(text);
}

}  // namespace

void Configure(CLI::App& app) {
  app.set_help_flag();
  app.option_defaults()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->disable_flag_override();
}

absl::Status Parse(CLI::App& app, const std::vector<std::string>& args) {
  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ExtrasError& error) {
    const std::vector<std::string> extras = app.remaining(true);
    if (extras.empty()) return absl::InvalidArgumentError(error.what());
    return absl::InvalidArgumentError(absl::StrCat("unknown argument '", extras.front(), "'"));
  } catch (const CLI::ArgumentMismatch& error) {
    return absl::InvalidArgumentError(Reworded(error));
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(error.what());
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> WholeNumber(const char* flag, const std::string& text, uint64_t min,
                                     uint64_t max) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s must be a whole number from %u to %u (got '%s')", flag, min, max, text));
  }
  return value;
}

}  // namespace hypercall::cmdline
