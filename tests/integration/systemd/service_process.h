// Runs the real hypercalld binary the way systemd runs a socket-activated
// Type=notify service: listening sockets the test made are passed at
// descriptors 3.. with LISTEN_FDS, LISTEN_PID (the child's own pid, set
// between fork and exec) and LISTEN_FDNAMES, and NOTIFY_SOCKET names a
// datagram socket the test reads the daemon's sd_notify messages from.
#ifndef HYPERCALL_TESTS_INTEGRATION_SYSTEMD_SERVICE_PROCESS_H_
#define HYPERCALL_TESTS_INTEGRATION_SYSTEMD_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hypercall::testing {

// A listening AF_UNIX stream socket bound at `path` with mode `mode`, as a
// .socket unit makes one (close-on-exec; -1 on failure, with errno).
int ListenAt(const std::string& path, unsigned mode = 0666);

class ServiceProcess {
 public:
  struct Socket {
    std::string name;  // FileDescriptorName=
    int fd;            // Still the test's: the child gets a copy.
  };
  struct Options {
    // After the binary's path.
    std::vector<std::string> args;
    std::vector<Socket> sockets;
    // More "NAME=VALUE" for the daemon's environment.
    std::vector<std::string> env;
  };

  // Forks and execs hypercalld with `options` in the directory `dir` (its
  // log goes to dir/daemon.log, appended to; its notify socket is
  // dir/notify-N.sock). Does not wait: see WaitForMessage.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Spawn(const std::string& dir,
                                                               const Options& options);
  // SIGKILLs the daemon if it still runs.
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // The next sd_notify datagram (e.g. "READY=1", "STATUS=..."), or nullopt
  // when none comes within `timeout`.
  std::optional<std::string> NextMessage(absl::Duration timeout);
  // Reads datagrams until one has a line equal to `line` (or, when `line`
  // ends with '=', one starting with it) and returns that datagram; every
  // datagram read is kept in messages(). Error on timeout or daemon exit.
  absl::StatusOr<std::string> WaitForMessage(const std::string& line,
                                             absl::Duration timeout = absl::Seconds(10));
  const std::vector<std::string>& messages() const { return messages_; }

  void Signal(int signal);
  // Waits for the daemon to exit; its waitpid status, or an error on
  // timeout.
  absl::StatusOr<int> WaitExit(absl::Duration timeout = absl::Seconds(10));
  // Whether it has exited (reaping it if so).
  bool Exited();

  pid_t pid() const { return pid_; }
  std::string Log() const;

 private:
  ServiceProcess() = default;

  std::string log_path_;
  std::string notify_path_;
  int notify_fd_ = -1;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::vector<std::string> messages_;
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_INTEGRATION_SYSTEMD_SERVICE_PROCESS_H_
