#include "systemd/service_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "support/daemon_process.h"

extern char** environ;

namespace hypercall::testing {
namespace {

sockaddr_un AddressOf(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return address;
}

// Writes `value` in decimal at `out` (room for 20 digits and a NUL), with
// no allocation: runs between fork and exec.
void WriteDecimal(long value, char* out) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

bool IsSystemdVariable(const char* entry) {
  for (const char* name : {"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=", "NOTIFY_SOCKET=",
                           "WATCHDOG_USEC=", "WATCHDOG_PID=", "JOURNAL_STREAM="}) {
    if (std::strncmp(entry, name, std::strlen(name)) == 0) return true;
  }
  return false;
}

}  // namespace

int ListenAt(const std::string& path, unsigned mode) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_un address = AddressOf(path);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      chmod(path.c_str(), mode) != 0 || listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Spawn(const std::string& dir,
                                                                      const Options& options) {
  static std::atomic<int> serial{0};
  std::unique_ptr<ServiceProcess> process(new ServiceProcess());
  process->log_path_ = dir + "/daemon.log";
  process->notify_path_ = absl::StrCat(dir, "/notify-", serial++, ".sock");
  unlink(process->notify_path_.c_str());
  process->notify_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const sockaddr_un address = AddressOf(process->notify_path_);
  if (process->notify_fd_ < 0 ||
      bind(process->notify_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
          0) {
    return absl::InternalError(absl::StrCat("notify socket: ", std::strerror(errno)));
  }

  // Everything the child needs, made before fork: it only copies.
  std::vector<std::string> args = {HYPERCALLD_PATH};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!IsSystemdVariable(*entry)) env.emplace_back(*entry);
  }
  env.push_back("NOTIFY_SOCKET=" + process->notify_path_);
  size_t pid_entry = env.size();
  if (!options.sockets.empty()) {
    std::vector<std::string> names;
    for (const Socket& socket : options.sockets) names.push_back(socket.name);
    env.push_back(absl::StrCat("LISTEN_FDS=", options.sockets.size()));
    env.push_back("LISTEN_FDNAMES=" + absl::StrJoin(names, ":"));
    pid_entry = env.size();
    env.push_back(std::string("LISTEN_PID=") + std::string(24, '\0'));
  }
  env.insert(env.end(), options.env.begin(), options.env.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<int> fds;
  for (const Socket& socket : options.sockets) fds.push_back(socket.fd);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    const int log =
        open(process->log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    // Out of the way of 3.. first, then into place (dup2 clears CLOEXEC).
    for (int& fd : fds) fd = fcntl(fd, F_DUPFD_CLOEXEC, 100);
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i] < 0 || dup2(fds[i], 3 + static_cast<int>(i)) < 0) _exit(125);
    }
    if (!fds.empty()) WriteDecimal(getpid(), envp[pid_entry] + std::strlen("LISTEN_PID="));
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  process->pid_ = pid;
  return process;
}

ServiceProcess::~ServiceProcess() {
  if (!Exited()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (notify_fd_ >= 0) close(notify_fd_);
  unlink(notify_path_.c_str());
}

std::optional<std::string> ServiceProcess::NextMessage(absl::Duration timeout) {
  pollfd fd = {notify_fd_, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
    return std::nullopt;
  }
  char buffer[4096];
  const ssize_t n = recv(notify_fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
  if (n < 0) return std::nullopt;
  messages_.emplace_back(buffer, n);
  return messages_.back();
}

absl::StatusOr<std::string> ServiceProcess::WaitForMessage(const std::string& line,
                                                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::optional<std::string> message = NextMessage(absl::Milliseconds(50));
    if (message.has_value()) {
      for (absl::string_view part : absl::StrSplit(*message, '\n')) {
        if (part == line || (absl::EndsWith(line, "=") && absl::StartsWith(part, line))) {
          return *message;
        }
      }
    } else if (Exited()) {
      return absl::FailedPreconditionError(
          absl::StrCat("hypercalld exited before sending ", line, ": ", Log()));
    }
  }
  return absl::DeadlineExceededError(absl::StrCat("no ", line, " from hypercalld; got [",
                                                  absl::StrJoin(messages_, "|"), "]: ", Log()));
}

void ServiceProcess::Signal(int signal) {
  if (!Exited()) kill(pid_, signal);
}

bool ServiceProcess::Exited() {
  if (exit_status_.has_value()) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) exit_status_ = status;
  return exit_status_.has_value();
}

absl::StatusOr<int> ServiceProcess::WaitExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Exited()) {
    if (absl::Now() > deadline) return absl::DeadlineExceededError("hypercalld did not exit");
    absl::SleepFor(absl::Milliseconds(5));
  }
  return *exit_status_;
}

std::string ServiceProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hypercall::testing
