#include "pinned_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "cpu_placement.h"
#include "wire/runtime_dir.h"

namespace hypercall::bench {
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

absl::StatusOr<std::unique_ptr<PinnedDaemon>> PinnedDaemon::Start(int cpu) {
  std::unique_ptr<PinnedDaemon> d(new PinnedDaemon());
  char tmpl[] = "/tmp/hypercall-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::ErrnoToStatus(errno, "mkdtemp");
  d->temp_root_ = tmpl;
  d->runtime_dir_ = d->temp_root_ + "/run";
  const std::string log = d->temp_root_ + "/daemon.log";
  std::vector<std::string> args = {HYPERCALLD_PATH, "--runtime-dir", d->runtime_dir_, "--log-level",
                                   "warning"};

  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    if (!PinCallingThread(cpu).ok()) _exit(126);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  d->pid_ = pid;

  const std::string socket = wire::SocketPath(d->runtime_dir_, wire::kVmmSocketName);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!SocketAccepts(socket)) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      d->pid_ = -1;
      return absl::InternalError("hypercalld exited during start-up; see " + log);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError("hypercalld did not listen within 10 s; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return d;
}

PinnedDaemon::~PinnedDaemon() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  if (!temp_root_.empty()) std::filesystem::remove_all(temp_root_, ec);
}

}  // namespace hypercall::bench
