// hypercalld as a process: flags, the runtime directory and its sockets,
// one daemon per directory, health checking and reflection for standard
// gRPC tools, signals, and the log format journald reads.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_split.h"
#include "daemon/vmm_client.h"
#include "support/daemon_process.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

bool SocketAccepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Runs hypercalld on `runtime_dir` (which the test prepares) until the
// object goes, for cases DaemonProcess does not cover.
class RawDaemon {
 public:
  explicit RawDaemon(const std::string& runtime_dir) : runtime_dir_(runtime_dir) {
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDERR_FILENO);
      execl(HYPERCALLD_PATH, HYPERCALLD_PATH, "--runtime-dir", runtime_dir.c_str(), nullptr);
      _exit(127);
    }
  }
  ~RawDaemon() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Waits until the daemon's observer answers; false if it exited first.
  bool AwaitReady() {
    const std::string path = wire::SocketPath(runtime_dir_, wire::kObserverSocketName);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!SocketAccepts(path)) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto stub = v1::ObserverService::NewStub(
        Connect(wire::GrpcUnixTarget(runtime_dir_, wire::kObserverSocketName)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StatusRequest request;
    *request.mutable_hello() = wire::MakeHello("process-test/1");
    v1::StatusReply reply;
    return stub->GetStatus(&context, request, &reply).ok();
  }

 private:
  std::string runtime_dir_;
  pid_t pid_;
};

std::string TempDir() {
  char tmpl[] = "/tmp/hypercalld-process-test-XXXXXX";
  return mkdtemp(tmpl);
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(ProcessTest, FlagsHelpVersionAndMistakes) {
  CommandResult help = RunCommand({HYPERCALLD_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--runtime-dir DIR"));
  EXPECT_THAT(help.out, HasSubstr("/run/hypercalld"));
  CommandResult version = RunCommand({HYPERCALLD_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("hypercalld/"));
  CommandResult unknown = RunCommand({HYPERCALLD_PATH, "--frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown argument '--frobnicate'"));
  CommandResult level = RunCommand({HYPERCALLD_PATH, "--log-level", "chatty"});
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_THAT(level.err, HasSubstr("--log-level"));
}

TEST(ProcessTest, CreatesTheRuntimeDirAndRestrictsTheSockets) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(ModeOf((*daemon)->runtime_dir()), 0755u);
  for (std::string_view name : {wire::kVmmSocketName, wire::kObserverSocketName}) {
    EXPECT_EQ(ModeOf(wire::SocketPath((*daemon)->runtime_dir(), name)), 0660u) << name;
  }
}

TEST(ProcessTest, RuntimeDirThatIsAFileStopsStartUp) {
  const std::string root = TempDir();
  const std::string file = root + "/not-a-dir";
  { std::ofstream(file) << "x"; }
  CommandResult result = RunCommand({HYPERCALLD_PATH, "--runtime-dir", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("error: cannot start: "));
  EXPECT_THAT(result.err, HasSubstr("not a directory"));
  std::filesystem::remove_all(root);
}

TEST(ProcessTest, SecondDaemonOnTheSameDirIsRefused) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  CommandResult second = RunCommand({HYPERCALLD_PATH, "--runtime-dir", (*daemon)->runtime_dir()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("another hypercalld is already serving"));
  // The first one is untouched.
  auto stub = v1::VmmService::NewStub(Connect((*daemon)->vmm_target()));
  EXPECT_TRUE(AttachedVm::Attach(*stub, TestVm("vm-a")).ok());
}

TEST(ProcessTest, StaleSocketsOfADeadDaemonAreReplaced) {
  const std::string root = TempDir();
  const std::string runtime_dir = root + "/run";
  {
    RawDaemon crashed(runtime_dir);
    ASSERT_TRUE(crashed.AwaitReady());
  }  // SIGKILLed: its socket files stay behind.
  ASSERT_TRUE(std::filesystem::exists(wire::SocketPath(runtime_dir, wire::kVmmSocketName)));
  RawDaemon next(runtime_dir);
  EXPECT_TRUE(next.AwaitReady());
  std::filesystem::remove_all(root);
}

TEST(ProcessTest, HealthCheckingAnswersServingOnEverySocket) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  for (const std::string& target : {(*daemon)->vmm_target(), (*daemon)->observer_target()}) {
    // HealthCheckRequest{service: ""} is empty; the reply is {status: SERVING}.
    RawReply reply = RawStreamCall(target, "/grpc.health.v1.Health/Check", {""});
    ASSERT_TRUE(reply.status.ok()) << target << ": " << reply.status.error_message();
    ASSERT_EQ(reply.messages.size(), 1u);
    EXPECT_EQ(reply.messages[0], std::string("\x08\x01", 2)) << target;
  }
}

TEST(ProcessTest, ReflectionListsTheServices) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  // ServerReflectionRequest{list_services: "*"}.
  const std::string list_services("\x3a\x01*", 3);
  const std::string method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  RawReply vmm = RawStreamCall((*daemon)->vmm_target(), method, {list_services});
  ASSERT_TRUE(vmm.status.ok()) << vmm.status.error_message();
  ASSERT_EQ(vmm.messages.size(), 1u);
  EXPECT_THAT(vmm.messages[0], HasSubstr("hypercall.v1.VmmService"));
  RawReply observer = RawStreamCall((*daemon)->observer_target(), method, {list_services});
  ASSERT_TRUE(observer.status.ok()) << observer.status.error_message();
  ASSERT_EQ(observer.messages.size(), 1u);
  EXPECT_THAT(observer.messages[0], HasSubstr("hypercall.v1.ObserverService"));
}

TEST(ProcessTest, SigintAlsoStopsCleanly) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  (*daemon)->Signal(SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid((*daemon)->pid(), &status, WNOHANG) != (*daemon)->pid()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(std::filesystem::exists(
      wire::SocketPath((*daemon)->runtime_dir(), wire::kObserverSocketName)));
  EXPECT_THAT((*daemon)->Log(), HasSubstr("SIGINT"));
}

// stderr a plain file, not the journal: no syslog prefixes (the journal's
// format: tests/integration/systemd/notify_test.cc).
TEST(ProcessTest, LogLinesToAFileArePlainText) {
  auto daemon = DaemonProcess::Start({"--log-level", "debug"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  {
    auto stub = v1::VmmService::NewStub(Connect((*daemon)->vmm_target()));
    auto vm = AttachedVm::Attach(*stub, TestVm("vm-a"));
    ASSERT_TRUE(vm.ok());
    ASSERT_TRUE(VcpuClient::Open(*stub, (*vm)->session_id(), 0).ok());
  }
  auto exit_status = (*daemon)->Stop();
  ASSERT_TRUE(exit_status.ok());
  const std::string log = (*daemon)->Log();
  EXPECT_THAT(log, HasSubstr("attached: vm=vm-a"));
  EXPECT_THAT(log, HasSubstr("detached: vm=vm-a"));
  std::vector<std::string> lines = absl::StrSplit(log, '\n', absl::SkipEmpty());
  for (const std::string& line : lines) {
    EXPECT_THAT(line, ::testing::Not(::testing::MatchesRegex("<[0-9]>.*"))) << line;
  }
}

}  // namespace
}  // namespace hypercall::testing
