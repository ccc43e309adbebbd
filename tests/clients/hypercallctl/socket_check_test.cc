#include "hypercallctl/socket_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace hypercall::ctl {
namespace {

using ::testing::HasSubstr;

// A temporary directory, removed with everything in it.
class SocketCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hypercallctl-socket-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (int fd : fds_) close(fd);
    std::filesystem::remove_all(dir_);
  }

  // A Unix socket bound at `path`, listening when `listen_too`.
  void BindSocket(const std::string& path, bool listen_too) {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    fds_.push_back(fd);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    if (listen_too) {
      ASSERT_EQ(listen(fd, 4), 0);
    }
  }

  std::string dir_;
  std::vector<int> fds_;
};

TEST_F(SocketCheckTest, AcceptsAListeningSocket) {
  const std::string path = dir_ + "/observer.sock";
  BindSocket(path, true);
  EXPECT_TRUE(CheckDaemonSocket(path).ok());
}

TEST_F(SocketCheckTest, MissingSocketMeansNotRunning) {
  const std::string path = dir_ + "/observer.sock";
  const absl::Status status = CheckDaemonSocket(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "hypercalld is not running: no socket at " + path +
                                  " (start it, or pass --runtime-dir)");
  EXPECT_EQ(CheckDaemonSocket(dir_ + "/no/such/dir/observer.sock").code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(SocketCheckTest, StaleSocketMeansNotRunning) {
  const std::string path = dir_ + "/observer.sock";
  BindSocket(path, false);  // Bound, never listening: connect gets ECONNREFUSED.
  const absl::Status status = CheckDaemonSocket(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("hypercalld is not running"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(path));
}

TEST_F(SocketCheckTest, RegularFileIsNotASocket) {
  const std::string path = dir_ + "/observer.sock";
  std::ofstream(path) << "not a socket";
  const absl::Status status = CheckDaemonSocket(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("is not a socket"));
}

TEST_F(SocketCheckTest, OverlongPathIsExplained) {
  const std::string path = dir_ + "/" + std::string(120, 'a');
  BindSocket(dir_ + "/short.sock", true);
  std::filesystem::create_symlink(dir_ + "/short.sock", path);
  const absl::Status status = CheckDaemonSocket(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("shorter --runtime-dir"));
}

// Runs CheckDaemonSocket(path) as user and group "nobody" (65534) when the
// test runs as root (root is never denied), and returns its message.
std::string CheckAsUnprivilegedUser(const std::string& path) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    const absl::Status status = CheckDaemonSocket(path);
    const std::string message = std::string(status.message());
    if (write(pipe_fds[1], message.data(), message.size()) < 0) _exit(3);
    _exit(status.code() == absl::StatusCode::kPermissionDenied ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0) message.append(buffer, n);
  close(pipe_fds[0]);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) return "not denied: " + message;
  return message;
}

TEST_F(SocketCheckTest, PermissionDeniedSuggestsRootOrTheGroup) {
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  const std::string path = dir_ + "/observer.sock";
  BindSocket(path, true);
  ASSERT_EQ(chmod(path.c_str(), 0660), 0);
  const std::string message = CheckAsUnprivilegedUser(path);
  EXPECT_THAT(message, HasSubstr("permission denied on " + path + " (mode 0660)"));
  EXPECT_THAT(message, HasSubstr("run as root or as a member of group"));
}

}  // namespace
}  // namespace hypercall::ctl
