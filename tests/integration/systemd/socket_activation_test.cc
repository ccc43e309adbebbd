// hypercalld socket-activated as systemd does it (service_process.h): the
// test makes the role sockets, as the .socket units would, and the real
// daemon adopts them by name and serves them through its own accept loop,
// peer checks and all; a name it does not know, or a descriptor that is not
// a listening stream socket, stops it at start. Connections made while no
// daemon runs wait in the socket's queue and are served by the next one.
#include <grpcpp/create_channel_posix.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smccc/known_calls.h"
#include "support/config_file.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "systemd/service_process.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A client end connected to `path` (the kernel completes the connection
// into the listening socket's queue whether or not anyone accepts yet).
int ConnectTo(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A gRPC channel over the connected `fd` (taken).
std::shared_ptr<grpc::Channel> ChannelOver(int fd) {
  grpc::ChannelArguments args;
  return grpc::CreateCustomInsecureChannelFromFd("queued", fd, args);
}

class SocketActivationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercalld-activation-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    runtime_dir_ = dir_ + "/run";
    ASSERT_TRUE(std::filesystem::create_directory(runtime_dir_));
  }

  void TearDown() override {
    daemon_.reset();
    for (const ServiceProcess::Socket& socket : sockets_) close(socket.fd);
    std::filesystem::remove_all(dir_);
  }

  std::string SocketPath(const std::string& role) const {
    return runtime_dir_ + "/" + role + ".sock";
  }

  // Makes the three role sockets, as hypercalld-ROLE.socket would.
  void MakeRoleSockets() {
    for (const std::string role : {"vmm", "provider", "observer"}) {
      const int fd = ListenAt(SocketPath(role));
      ASSERT_GE(fd, 0) << std::strerror(errno);
      sockets_.push_back({.name = role, .fd = fd});
    }
  }

  // Starts hypercalld on the sockets made so far and waits for READY=1.
  void StartDaemon(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args = {"--runtime-dir", runtime_dir_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    auto daemon = ServiceProcess::Spawn(dir_, {.args = args, .sockets = sockets_, .env = {}});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  }

  // Runs hypercallctl on the runtime dir.
  CommandResult Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {BinaryPath("hypercallctl"), "--runtime-dir", runtime_dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  std::string dir_;
  std::string runtime_dir_;
  std::vector<ServiceProcess::Socket> sockets_;
  std::unique_ptr<ServiceProcess> daemon_;
};

TEST_F(SocketActivationTest, AdoptedSocketsServeAVmmAndAnObserverSeesIt) {
  ASSERT_NO_FATAL_FAILURE(MakeRoleSockets());
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string log = daemon_->Log();
  for (const std::string role : {"vmm", "provider", "observer"}) {
    EXPECT_THAT(log, HasSubstr("serving " + SocketPath(role) + " (the " + role +
                               " socket systemd passed)"));
  }
  EXPECT_THAT(log, Not(HasSubstr("listening on")));

  auto vm = TestVm::Attach(Connect("unix:" + SocketPath("vmm")), "activated-vm");
  ASSERT_TRUE(vm.ok()) << vm.status() << daemon_->Log();
  auto result = (*vm)->Call(smccc::kTrngVersion);
  ASSERT_TRUE(result.ok()) << result.status();
  const CommandResult sessions = Ctl({"sessions"});
  EXPECT_EQ(sessions.exit_code, 0) << sessions.err;
  EXPECT_THAT(sessions.out, HasSubstr("activated-vm"));

  // A stopped daemon leaves the socket files to their unit, still
  // listening (the test's descriptors stand for systemd's).
  vm->reset();
  daemon_->Signal(SIGTERM);
  auto status = daemon_->WaitExit();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon_->Log();
  for (const std::string role : {"vmm", "provider", "observer"}) {
    EXPECT_TRUE(std::filesystem::is_socket(SocketPath(role))) << role;
  }
  const int queued = ConnectTo(SocketPath("vmm"));
  EXPECT_GE(queued, 0) << std::strerror(errno);
  close(queued);
}

TEST_F(SocketActivationTest, PeerChecksStillApplyOnAdoptedSockets) {
  ASSERT_NO_FATAL_FAILURE(MakeRoleSockets());
  // Root may not attach "locked-*" (uid 4242 only), and has 3 connections.
  ConfigFile config(
      "version: 1\n"
      "provider { name: \"trng\" builtin {} }\n"
      "vm { name: \"locked-*\" provider: \"trng\" allow_uid: 4242 }\n"
      "vm { name: \"*\" provider: \"trng\" }\n"
      "limits { max_connections_per_uid: 3 }\n");
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--config", config.path()}));

  auto refused = TestVm::Attach(Connect("unix:" + SocketPath("vmm")), "locked-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("uid 0"));

  // The connection limiter sits in the adopted sockets' accept loop too.
  std::vector<int> held;
  for (int i = 0; i < 6; ++i) held.push_back(ConnectTo(SocketPath("vmm")));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (daemon_->Log().find("refused a connection on " + SocketPath("vmm")) == std::string::npos) {
    ASSERT_LT(absl::Now(), deadline) << daemon_->Log();
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_THAT(daemon_->Log(), HasSubstr("(limits.max_connections_per_uid)"));
  for (int fd : held) close(fd);
}

TEST_F(SocketActivationTest, AnUnknownSocketNameStopsTheStart) {
  ASSERT_NO_FATAL_FAILURE(MakeRoleSockets());
  sockets_[1].name = "hypercall";
  auto daemon = ServiceProcess::Spawn(
      dir_, {.args = {"--runtime-dir", runtime_dir_}, .sockets = sockets_, .env = {}});
  ASSERT_TRUE(daemon.ok());
  auto status = (*daemon)->WaitExit();
  ASSERT_TRUE(status.ok()) << (*daemon)->Log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_THAT((*daemon)->Log(),
              HasSubstr("cannot start: systemd passed descriptor 4 named \"hypercall\": not a "
                        "socket name hypercalld knows (FileDescriptorName= must be one of vmm, "
                        "provider, observer)"));
  EXPECT_THAT((*daemon)->messages(), Not(::testing::Contains("READY=1")));
}

TEST_F(SocketActivationTest, ADescriptorThatDoesNotListenStopsTheStart) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  close(pair[1]);
  sockets_.push_back({.name = "vmm", .fd = pair[0]});
  auto daemon = ServiceProcess::Spawn(
      dir_, {.args = {"--runtime-dir", runtime_dir_}, .sockets = sockets_, .env = {}});
  ASSERT_TRUE(daemon.ok());
  auto status = (*daemon)->WaitExit();
  ASSERT_TRUE(status.ok()) << (*daemon)->Log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_THAT((*daemon)->Log(), HasSubstr("systemd passed descriptor 3 named \"vmm\": it is not "
                                          "listening (use Accept=no)"));
}

TEST_F(SocketActivationTest, RolesNotPassedAreBoundByTheDaemon) {
  const int vmm = ListenAt(SocketPath("vmm"));
  ASSERT_GE(vmm, 0);
  sockets_.push_back({.name = "vmm", .fd = vmm});
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_THAT(daemon_->Log(), HasSubstr("serving " + SocketPath("vmm")));
  EXPECT_THAT(daemon_->Log(), HasSubstr("listening on " + SocketPath("observer")));
  EXPECT_THAT(daemon_->Log(), HasSubstr("listening on " + SocketPath("provider")));
  const CommandResult status = Ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
}

// What makes `systemctl restart` lose no connection attempt: while no
// daemon runs, connecting still succeeds into the socket's queue, and the
// next daemon serves what queued there, bytes the client already sent
// included.
TEST_F(SocketActivationTest, ConnectionsQueuedWhileNoDaemonRunsAreServed) {
  ASSERT_NO_FATAL_FAILURE(MakeRoleSockets());
  // Before the first start.
  const int early = ConnectTo(SocketPath("vmm"));
  ASSERT_GE(early, 0) << std::strerror(errno);
  std::shared_ptr<grpc::Channel> early_channel = ChannelOver(early);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  {
    auto vm = TestVm::Attach(early_channel, "early");
    ASSERT_TRUE(vm.ok()) << vm.status() << daemon_->Log();
    EXPECT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
  }
  // Between a stop and the next start, as in a restart.
  daemon_->Signal(SIGTERM);
  ASSERT_TRUE(daemon_->WaitExit().ok());
  std::vector<std::shared_ptr<grpc::Channel>> queued;
  for (int i = 0; i < 5; ++i) {
    const int fd = ConnectTo(SocketPath("vmm"));
    ASSERT_GE(fd, 0) << std::strerror(errno);
    queued.push_back(ChannelOver(fd));
  }
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  for (size_t i = 0; i < queued.size(); ++i) {
    auto vm = TestVm::Attach(queued[i], "queued-" + std::to_string(i));
    ASSERT_TRUE(vm.ok()) << i << ": " << vm.status() << daemon_->Log();
    EXPECT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
  }
}

}  // namespace
}  // namespace hypercall::testing
