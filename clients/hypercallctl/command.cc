#include "hypercallctl/command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"

namespace hypercall::ctl {

absl::Status WriteStdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return absl::UnavailableError(
        absl::StrFormat("cannot write to stdout: %s", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedCommand> NoArguments(std::string_view command,
                                            const std::vector<std::string>& args,
                                            PreparedCommand run) {
  if (!args.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s takes no arguments; got '%s'", command, args.front()));
  }
  return run;
}

}  // namespace hypercall::ctl
