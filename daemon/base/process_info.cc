#include "base/process_info.h"

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace hypercall::base {
namespace {

// The first 64 KiB of `path`, or nullopt when it cannot be read.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::string text(64 * 1024, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  return text;
}

bool IsUnitComponent(absl::string_view component) {
  return absl::EndsWith(component, ".service") || absl::EndsWith(component, ".scope");
}

}  // namespace

std::string UnitFromCgroup(std::string_view cgroup_file) {
  constexpr absl::string_view kUnified = "0::";
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(cgroup_file.data(), cgroup_file.size()), '\n')) {
    if (!absl::StartsWith(line, kUnified)) continue;
    for (absl::string_view component :
         absl::StrSplit(line.substr(kUnified.size()), '/', absl::SkipEmpty())) {
      if (absl::EndsWith(component, ".slice")) continue;
      // systemd escapes a unit's cgroup name that starts with '_' by
      // another '_'.
      if (absl::StartsWith(component, "_")) component.remove_prefix(1);
      return IsUnitComponent(component) ? std::string(component) : std::string();
    }
    return "";
  }
  return "";
}

std::optional<uint64_t> StartTimeFromStat(std::string_view stat_file) {
  const size_t close = stat_file.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Field 3 (state) is the first after the command name.
  constexpr int kFirstField = 3;
  constexpr int kStartTimeField = 22;
  int field = kFirstField;
  for (absl::string_view value :
       absl::StrSplit(absl::string_view(stat_file.data() + close + 1, stat_file.size() - close - 1),
                      ' ', absl::SkipEmpty())) {
    if (field++ != kStartTimeField) continue;
    uint64_t ticks = 0;
    if (!absl::SimpleAtoi(value, &ticks)) return std::nullopt;
    return ticks;
  }
  return std::nullopt;
}

std::string ProcessUnit(pid_t pid) {
  std::optional<std::string> text = ReadSmallFile("/proc/" + std::to_string(pid) + "/cgroup");
  return text.has_value() ? UnitFromCgroup(*text) : std::string();
}

std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  std::optional<std::string> text = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  return text.has_value() ? StartTimeFromStat(*text) : std::nullopt;
}

}  // namespace hypercall::base
