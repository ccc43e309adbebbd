#include "core/held_names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/vm_description.h"

namespace hypercall::core {
namespace {

// A line is at most a name, three numbers and spaces.
constexpr size_t kMaxFileBytes = kMaxHeldNames * 128;

absl::Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "write");
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatHeldNames(const std::vector<HeldName>& names) {
  std::string text =
      "# hypercalld: VM names held by live sessions, each with its VMM process: "
      "NAME PID UID START_TIME\n";
  for (const HeldName& held : names) {
    absl::StrAppendFormat(&text, "%s %d %d %d\n", held.name, held.pid, held.uid, held.start_time);
  }
  return text;
}

ParsedHeldNames ParseHeldNames(std::string_view text) {
  ParsedHeldNames parsed;
  absl::flat_hash_set<std::string> seen;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const auto skip = [&parsed, number](std::string_view why) {
      parsed.skipped.push_back(absl::StrFormat("line %d: %s", number, why));
    };
    if (parsed.names.size() == kMaxHeldNames) {
      skip(absl::StrFormat("more than %d names", kMaxHeldNames));
      break;
    }
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    HeldName held;
    int64_t pid = 0;
    if (fields.size() != 4) {
      skip("not NAME PID UID START_TIME");
    } else if (!ValidVmName(std::string_view(fields[0].data(), fields[0].size()))) {
      skip("not a VM name");
    } else if (!absl::SimpleAtoi(fields[1], &pid) || pid <= 0 || pid > INT32_MAX ||
               !absl::SimpleAtoi(fields[2], &held.uid) ||
               !absl::SimpleAtoi(fields[3], &held.start_time) || held.start_time == 0) {
      skip("PID, UID or START_TIME is not a number in range");
    } else if (!seen.insert(std::string(fields[0])).second) {
      skip(absl::StrFormat("VM '%s' is listed twice", fields[0]));
    } else {
      held.name = std::string(fields[0]);
      held.pid = static_cast<pid_t>(pid);
      parsed.names.push_back(std::move(held));
    }
  }
  return parsed;
}

absl::Status WriteHeldNamesFile(const std::string& path, const std::vector<HeldName>& names) {
  std::string temporary = path + ".XXXXXX";
  // mkostemp creates the file with mode 0600.
  const int fd = mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "cannot create a file beside " + path);
  absl::Status status = WriteAll(fd, FormatHeldNames(names));
  if (close(fd) != 0 && status.ok()) status = absl::ErrnoToStatus(errno, "close");
  if (status.ok() && rename(temporary.c_str(), path.c_str()) != 0) {
    status = absl::ErrnoToStatus(errno, "cannot rename it to " + path);
  }
  if (!status.ok()) {
    unlink(temporary.c_str());
    return absl::Status(status.code(), absl::StrFormat("writing %s: %s", path, status.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadHeldNamesFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return absl::ErrnoToStatus(errno, "cannot open " + path);
  struct stat info {};
  std::string text;
  absl::Status status;
  if (fstat(fd, &info) != 0) {
    status = absl::ErrnoToStatus(errno, "cannot stat " + path);
  } else if (!S_ISREG(info.st_mode) || info.st_uid != geteuid()) {
    status = absl::FailedPreconditionError(
        absl::StrFormat("%s is not a regular file of uid %d", path, geteuid()));
  } else if (static_cast<size_t>(info.st_size) > kMaxFileBytes) {
    status = absl::FailedPreconditionError(absl::StrFormat(
        "%s is %d bytes, more than it can be (%d)", path, info.st_size, kMaxFileBytes));
  } else {
    text.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t got = read(fd, text.data() + done, text.size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      done += static_cast<size_t>(got);
    }
    text.resize(done);
  }
  close(fd);
  if (!status.ok()) return status;
  return text;
}

}  // namespace hypercall::core
