#include "restarted_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "wait_until.h"
#include "wire/runtime_dir.h"

namespace hypercall::shim::testing {
namespace {

bool SocketAccepts(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RestartedDaemon>> RestartedDaemon::Start(
    const std::string& runtime_dir, const std::string& log_path) {
  std::vector<std::string> args = {HYPERCALLD_PATH, "--runtime-dir", runtime_dir};
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::unique_ptr<RestartedDaemon> daemon(new RestartedDaemon(pid));
  const std::string socket = wire::SocketPath(runtime_dir, wire::kVmmSocketName);
  bool exited = false;
  const bool up = WaitUntil(
      [&] {
        exited = waitpid(pid, nullptr, WNOHANG) == pid;
        return exited || SocketAccepts(socket);
      },
      10000);
  if (exited) daemon->pid_ = -1;
  if (!up || exited) {
    return absl::UnavailableError("restarted hypercalld did not listen on " + socket + " (see " +
                                  log_path + ")");
  }
  return daemon;
}

RestartedDaemon::~RestartedDaemon() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

}  // namespace hypercall::shim::testing
