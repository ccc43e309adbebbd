// hypercalld's side of the sd_notify protocol, read from a real
// NOTIFY_SOCKET (service_process.h): READY=1 once every socket serves,
// STATUS= kept current at a modest rate, RELOADING=1 ... READY=1 around a
// SIGHUP reload, STOPPING=1 on SIGTERM; and its log's format, with stderr
// the journal or not.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "systemd/service_process.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercalld-notify-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    runtime_dir_ = dir_ + "/run";
    config_path_ = dir_ + "/hypercalld.conf";
    WriteConfig("version: 1\nprovider { name: \"trng\" builtin {} }\n");
  }

  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  void WriteConfig(const std::string& text) { std::ofstream(config_path_) << text; }

  // Starts hypercalld binding its own sockets, with `env` added.
  void Spawn(std::vector<std::string> env = {}) {
    auto daemon = ServiceProcess::Spawn(
        dir_, {.args = {"--runtime-dir", runtime_dir_, "--config", config_path_},
               .sockets = {},
               .env = std::move(env)});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
  }

  // The value of the next STATUS= that satisfies `accept`.
  std::string AwaitStatus(std::function<bool(const std::string&)> accept) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      auto message = daemon_->WaitForMessage("STATUS=", deadline - absl::Now());
      if (!message.ok()) break;
      const std::string status = message->substr(std::strlen("STATUS="));
      if (accept(status)) return status;
    }
    ADD_FAILURE() << "no such STATUS=; got: " << absl::StrJoin(daemon_->messages(), " | ");
    return "";
  }

  std::string SocketPath(const std::string& role) const {
    return runtime_dir_ + "/" + role + ".sock";
  }

  std::string dir_;
  std::string runtime_dir_;
  std::string config_path_;
  std::unique_ptr<ServiceProcess> daemon_;
};

TEST_F(NotifyTest, ReadyOnlyOnceEverySocketServesThenStatusFollowsTheVms) {
  ASSERT_NO_FATAL_FAILURE(Spawn());
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  // The moment READY=1 is read, every socket serves: no retry here.
  for (const std::string role : {"vmm", "provider", "observer"}) {
    EXPECT_TRUE(std::filesystem::is_socket(SocketPath(role))) << role;
  }
  const CommandResult ctl =
      RunCommand({BinaryPath("hypercallctl"), "--runtime-dir", runtime_dir_, "status"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.out << ctl.err;

  EXPECT_EQ(AwaitStatus([](const std::string&) { return true; }),
            "0 VMs, 0 vCPUs, 1 provider, 0 calls");
  auto vm = TestVm::Attach(Connect("unix:" + SocketPath("vmm")), "notify-vm", 2);
  ASSERT_TRUE(vm.ok()) << vm.status();
  ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion, {}, 0).ok());
  ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion, {}, 1).ok());
  ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion, {}, 1).ok());
  EXPECT_EQ(AwaitStatus([](const std::string& s) { return absl::StrContains(s, "3 calls"); }),
            "1 VM, 2 vCPUs, 1 provider, 3 calls");
  vm->reset();
  EXPECT_EQ(AwaitStatus([](const std::string& s) { return absl::StartsWith(s, "0 VMs"); }),
            "0 VMs, 0 vCPUs, 1 provider, 3 calls");
}

TEST_F(NotifyTest, StatusIsSentAtMostAboutOnceASecondUnderLoad) {
  ASSERT_NO_FATAL_FAILURE(Spawn());
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  auto vm = TestVm::Attach(Connect("unix:" + SocketPath("vmm")), "busy-vm");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const absl::Time start = absl::Now();
  int calls = 0;
  while (absl::Now() - start < absl::Seconds(3)) {
    ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
    ++calls;
  }
  while (daemon_->NextMessage(absl::Milliseconds(100)).has_value()) {
  }
  int statuses = 0;
  for (const std::string& message : daemon_->messages()) {
    if (absl::StartsWith(message, "STATUS=")) ++statuses;
  }
  EXPECT_GT(calls, 100);
  // One at start, then one a second at most while every call changes it.
  EXPECT_GE(statuses, 3);
  EXPECT_LE(statuses, 6) << absl::StrJoin(daemon_->messages(), " | ");
}

TEST_F(NotifyTest, ReloadingThenReadyAroundSighupAndStoppingOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(Spawn());
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  // A good config, then one the daemon refuses: both end with READY=1.
  WriteConfig("version: 1\nprovider { name: \"trng\" builtin {} }\nvm { name: \"*\" }\n");
  daemon_->Signal(SIGHUP);
  auto reloading = daemon_->WaitForMessage("RELOADING=1");
  ASSERT_TRUE(reloading.ok()) << reloading.status();
  EXPECT_THAT(*reloading, HasSubstr("MONOTONIC_USEC="));
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok());
  EXPECT_THAT(daemon_->Log(), HasSubstr("SIGHUP: reloaded"));
  WriteConfig("version: 1\nprovider { name: \"no-such-provider\" builtin {} }\n");
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(daemon_->WaitForMessage("RELOADING=1").ok());
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok());
  EXPECT_THAT(daemon_->Log(), HasSubstr("keeping the running config"));

  daemon_->Signal(SIGTERM);
  ASSERT_TRUE(daemon_->WaitForMessage("STOPPING=1").ok()) << daemon_->Log();
  auto status = daemon_->WaitExit();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

// JOURNAL_STREAM as systemd sets it when stderr is the journal: naming
// stderr's device and inode.
TEST_F(NotifyTest, LogLinesCarryPrioritiesOnlyWhenStderrIsTheJournal) {
  const std::string log = dir_ + "/daemon.log";
  { std::ofstream touch(log); }
  struct stat file {};
  ASSERT_EQ(stat(log.c_str(), &file), 0);
  // A bad reload's multi-line reason stays one line.
  WriteConfig("version: 1\nprovider { name: \"trng\" builtin {} }\n");
  ASSERT_NO_FATAL_FAILURE(
      Spawn({absl::StrFormat("JOURNAL_STREAM=%d:%d", file.st_dev, file.st_ino)}));
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  WriteConfig("version: 1\nprovider { name: \"a\" builtin {} }\nprovider { name: \"b\" }\n");
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(daemon_->WaitForMessage("RELOADING=1").ok());
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok());
  daemon_->Signal(SIGTERM);
  ASSERT_TRUE(daemon_->WaitExit().ok());
  std::ifstream in(log);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_THAT(line, ::testing::MatchesRegex("<[3467]>.*")) << line;
  }
  EXPECT_GT(lines, 3);
  // The refused config's reasons, two lines in the message, in one line.
  EXPECT_THAT(daemon_->Log(), ::testing::ContainsRegex("<3>SIGHUP: keeping the running config; "
                                                       "[^\n]*no built-in provider \"a\"[^\n]*"
                                                       "\\\\n[^\n]*provider \"b\" says"));

  // The same daemon with stderr a plain file (JOURNAL_STREAM names another:
  // the old one, moved aside, keeps its inode).
  std::filesystem::rename(log, log + ".journal");
  WriteConfig("version: 1\nprovider { name: \"trng\" builtin {} }\n");
  ASSERT_NO_FATAL_FAILURE(
      Spawn({absl::StrFormat("JOURNAL_STREAM=%d:%d", file.st_dev, file.st_ino)}));
  ASSERT_TRUE(daemon_->WaitForMessage("READY=1").ok()) << daemon_->Log();
  daemon_->Signal(SIGTERM);
  ASSERT_TRUE(daemon_->WaitExit().ok());
  EXPECT_THAT(daemon_->Log(), Not(HasSubstr("<6>")));
  EXPECT_THAT(daemon_->Log(), HasSubstr("\nSIGTERM received: stopping\n"));
}

}  // namespace
}  // namespace hypercall::testing
