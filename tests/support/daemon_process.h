// Runs the real hypercalld binary on a fresh temporary runtime directory for
// the length of a test, so integration tests talk to it over its real Unix
// sockets with real gRPC.
#ifndef HYPERCALL_TESTS_SUPPORT_DAEMON_PROCESS_H_
#define HYPERCALL_TESTS_SUPPORT_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hypercall::testing {

class DaemonProcess {
 public:
  struct Options {
    // Appended to --runtime-dir DIR.
    std::vector<std::string> extra_args;
    // Pins hypercalld (every thread it starts) to this CPU; -1: no pinning.
    int cpu = -1;
  };

  // Starts hypercalld with --runtime-dir set to a new temporary directory
  // plus `options.extra_args`, and waits (up to 10 s) until its VMM,
  // observer and provider sockets accept connections. Its stderr goes to
  // <runtime_dir>/../daemon.log.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(
      std::vector<std::string> extra_args = {});

  // Kills (SIGKILL) a daemon still running and removes the temporary tree.
  ~DaemonProcess();

  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Sends SIGTERM and waits up to `timeout_ms`; returns the exit status as
  // waitpid reports it, or an error on timeout.
  absl::StatusOr<int> Stop(int timeout_ms = 10000);

  // Sends `signal` without waiting.
  void Signal(int signal);

  // SIGKILLs the daemon if it still runs, then starts it again with the same
  // arguments on the same runtime directory (as systemd would after a crash)
  // and waits for its sockets, like Start(). Its log is appended to.
  absl::Status Restart();

  const std::string& runtime_dir() const { return runtime_dir_; }
  pid_t pid() const { return pid_; }
  // "unix:<runtime_dir>/vmm.sock", ".../observer.sock", ".../provider.sock".
  std::string vmm_target() const;
  std::string observer_target() const;
  std::string provider_target() const;
  // What the daemon wrote to stderr so far.
  std::string Log() const;

 private:
  explicit DaemonProcess(const Options& options) : options_(options) {}

  // Forks and execs hypercalld, then waits until it listens.
  absl::Status Spawn(bool truncate_log);

  Options options_;
  std::string temp_root_;
  std::string runtime_dir_;
  pid_t pid_ = -1;
};

// Path of a built binary next to hypercalld (bin/), e.g. "hypercallctl".
std::string BinaryPath(const std::string& name);

// Runs `argv` to completion, capturing stdout and stderr; kills it after
// `timeout_ms`. For testing command-line tools.
struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out.
  std::string out;
  std::string err;
};
// Who a command runs as: the test runs as root and drops to this uid and
// gid (no supplementary groups) in the child, before exec.
struct RunAs {
  uid_t uid;
  gid_t gid;
};
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_ms = 20000,
                         std::optional<RunAs> as = std::nullopt);

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_DAEMON_PROCESS_H_
