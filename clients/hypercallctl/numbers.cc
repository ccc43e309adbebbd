#include "hypercallctl/numbers.h"

#include <cctype>
#include <limits>

#include "absl/strings/str_format.h"
#include "smccc/known_calls.h"

namespace hypercall::ctl {
namespace {

constexpr char kNumberForms[] = "decimal or 0x-hex";

bool StartsWithHexPrefix(const std::string& text) {
  return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

int DigitValue(char c, int base) {
  int value = -1;
  if (c >= '0' && c <= '9') value = c - '0';
  if (c >= 'a' && c <= 'f') value = c - 'a' + 10;
  if (c >= 'A' && c <= 'F') value = c - 'A' + 10;
  return value < base ? value : -1;
}

}  // namespace

absl::StatusOr<uint64_t> ParseNumber(const std::string& text, const std::string& label) {
  if (!text.empty() && text[0] == '-') {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: '%s' is negative; values are unsigned (write -1 as 0xffffffffffffffff)", label, text));
  }
  const bool hex = StartsWithHexPrefix(text);
  const int base = hex ? 16 : 10;
  const std::string digits = hex ? text.substr(2) : text;
  if (digits.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: '%s' is not a number (%s)", label, text, kNumberForms));
  }
  uint64_t value = 0;
  for (char c : digits) {
    const int digit = DigitValue(c, base);
    if (digit < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: '%s' is not a number (%s)", label, text, kNumberForms));
    }
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: '%s' does not fit in 64 bits", label, text));
    }
    value = value * base + digit;
  }
  return value;
}

absl::StatusOr<uint64_t> ParseNumberInRange(const std::string& text, const std::string& label,
                                            uint64_t min, uint64_t max) {
  absl::StatusOr<uint64_t> value = ParseNumber(text, label);
  if (!value.ok()) return value.status();
  if (*value < min || *value > max) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %s is out of range (%u to %u)", label, text, min, max));
  }
  return value;
}

absl::StatusOr<uint32_t> ParseFunctionId(const std::string& text, const std::string& label) {
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    absl::StatusOr<uint64_t> value = ParseNumber(text, label);
    if (!value.ok()) return value.status();
    if (*value > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: '%s' does not fit in 32 bits (a function ID is w0, at most 0xffffffff)", label,
          text));
    }
    return static_cast<uint32_t>(*value);
  }
  if (std::optional<uint32_t> id = smccc::FunctionIdByName(text)) return *id;
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s: '%s' is neither a number (%s) nor a known call name (e.g. TRNG_RND64, PSCI_VERSION)",
      label, text, kNumberForms));
}

}  // namespace hypercall::ctl
