// A hypercalld started on an existing runtime directory, the one a killed
// DaemonProcess used, to play "the daemon came back" to a shim that keeps
// dialling that directory. (DaemonProcess always makes a fresh directory.)
#ifndef HYPERCALL_TESTS_VMM_SHIM_RESTARTED_DAEMON_H_
#define HYPERCALL_TESTS_VMM_SHIM_RESTARTED_DAEMON_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace hypercall::shim::testing {

class RestartedDaemon {
 public:
  // Starts hypercalld --runtime-dir `runtime_dir` and waits (up to 10 s)
  // until its vmm.sock accepts connections. Its stderr goes to `log_path`.
  static absl::StatusOr<std::unique_ptr<RestartedDaemon>> Start(const std::string& runtime_dir,
                                                                const std::string& log_path);
  // SIGKILLs and reaps it.
  ~RestartedDaemon();

 private:
  explicit RestartedDaemon(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_RESTARTED_DAEMON_H_
