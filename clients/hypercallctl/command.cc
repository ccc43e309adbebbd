#include "hypercallctl/command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_format.h"

namespace hypercall::ctl {

absl::Status WriteStdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return absl::UnavailableError(
        absl::StrFormat("cannot write to stdout: %s", std::strerror(errno)));
  }
  return absl::OkStatus();
}

CommandCheck NothingToCheck(PreparedCommand run) {
  return [run = std::move(run)]() -> absl::StatusOr<PreparedCommand> { return run; };
}

}  // namespace hypercall::ctl
