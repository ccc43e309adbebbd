#include "base/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace hypercall::daemon {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed);
}

std::string Escaped(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '\\') {
      absl::StrAppendFormat(&escaped, "\\x%02x", byte);
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(absl::string_view(stream), absl::MaxSplits(':', 1));
  uint64_t device = 0;
  uint64_t inode = 0;
  struct stat file {};
  return absl::SimpleAtoi(parts.first, &device) && absl::SimpleAtoi(parts.second, &inode) &&
         fstat(STDERR_FILENO, &file) == 0 && file.st_dev == device && file.st_ino == inode;
}

void LogLine(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line;
  line.reserve(message.size() + 16);
  if (StderrIsJournal()) {
    absl::StrAppendFormat(&line, "<%d>", static_cast<int>(level));
  } else if (level == LogLevel::kError) {
    line = "error: ";
  } else if (level == LogLevel::kWarning) {
    line = "warning: ";
  }
  while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      absl::StrAppendFormat(&line, "\\x%02x", byte);
    } else {
      line.push_back(c);
    }
  }
  line.push_back('\n');
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // Nowhere to report a broken stderr.
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace hypercall::daemon
