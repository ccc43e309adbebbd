#include "support/daemon_process.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "wire/runtime_dir.h"

namespace hypercall::testing {
namespace {

bool SocketAccepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// waitpid with a deadline; returns the status or nullopt on timeout.
std::optional<int> WaitFor(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  return out;
}

}  // namespace

std::string BinaryPath(const std::string& name) {
  return (std::filesystem::path(HYPERCALLD_PATH).parent_path() / name).string();
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(const Options& options) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess(options));
  char tmpl[] = "/tmp/hypercalld-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  d->temp_root_ = tmpl;
  d->runtime_dir_ = d->temp_root_ + "/run";
  if (absl::Status status = d->Spawn(/*truncate_log=*/true); !status.ok()) return status;
  return d;
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    std::vector<std::string> extra_args) {
  return Start(Options{.extra_args = std::move(extra_args)});
}

absl::Status DaemonProcess::Restart() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  return Spawn(/*truncate_log=*/false);
}

absl::Status DaemonProcess::Spawn(bool truncate_log) {
  std::vector<std::string> args = {HYPERCALLD_PATH, "--runtime-dir", runtime_dir_};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  const std::string log_path = temp_root_ + "/daemon.log";

  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    if (options_.cpu >= 0) {
      cpu_set_t cpus;
      CPU_ZERO(&cpus);
      CPU_SET(options_.cpu, &cpus);
      if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0) _exit(126);
    }
    int log =
        open(log_path.c_str(), O_WRONLY | O_CREAT | (truncate_log ? O_TRUNC : O_APPEND), 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;

  const std::string vmm = wire::SocketPath(runtime_dir_, wire::kVmmSocketName);
  const std::string observer = wire::SocketPath(runtime_dir_, wire::kObserverSocketName);
  const std::string provider = wire::SocketPath(runtime_dir_, wire::kProviderSocketName);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(SocketAccepts(vmm) && SocketAccepts(observer) && SocketAccepts(provider))) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
      return absl::InternalError("hypercalld exited during start-up: " + Log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError("hypercalld sockets not ready after 10 s: " + Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::OkStatus();
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!temp_root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_root_, ec);
  }
}

absl::StatusOr<int> DaemonProcess::Stop(int timeout_ms) {
  if (pid_ <= 0) return absl::FailedPreconditionError("daemon is not running");
  kill(pid_, SIGTERM);
  auto status = WaitFor(pid_, timeout_ms);
  if (!status) return absl::DeadlineExceededError("hypercalld did not exit after SIGTERM");
  pid_ = -1;
  return *status;
}

void DaemonProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

std::string DaemonProcess::vmm_target() const {
  return wire::GrpcUnixTarget(runtime_dir_, wire::kVmmSocketName);
}

std::string DaemonProcess::observer_target() const {
  return wire::GrpcUnixTarget(runtime_dir_, wire::kObserverSocketName);
}

std::string DaemonProcess::provider_target() const {
  return wire::GrpcUnixTarget(runtime_dir_, wire::kProviderSocketName);
}

std::string DaemonProcess::Log() const {
  std::ifstream in(temp_root_ + "/daemon.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_ms,
                         std::optional<RunAs> as) {
  CommandResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return result;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    if (as.has_value() &&
        (setgroups(0, nullptr) != 0 || setgid(as->gid) != 0 || setuid(as->uid) != 0)) {
      _exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Drain both pipes on threads so a chatty child never blocks.
  std::thread out_reader([&] { result.out = ReadAll(out_pipe[0]); });
  std::thread err_reader([&] { result.err = ReadAll(err_pipe[0]); });
  auto status = WaitFor(pid, timeout_ms);
  if (!status) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  out_reader.join();
  err_reader.join();
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  return result;
}

}  // namespace hypercall::testing
