// After a daemon restart the VMM that held a VM name gets it back before
// anyone else can take it, attacked over the real sockets by uid 65534
// while the daemon restarts on the same runtime dir: the name is refused to
// it UNAVAILABLE (reserved) until the holder re-attaches or the grace period
// (limits.restart_grace_ms) ends; a name whose holder was gone by the start
// is free at once. The held-names file is the daemon's alone (0600).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "isolation/other_uids.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kGraceMs = 5000;

class RestartGraceTest : public OtherUidTest {
 protected:
  void SetUp() override {
    OtherUidTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        StartDaemon("version: 1\n"
                    "provider { name: \"trng\" builtin {} }\n"
                    "sockets { vmm { mode: 0666 } }\n"
                    "limits { restart_grace_ms: " +
                    std::to_string(kGraceMs) + " }\n"));
    peer_ = CopyProgram("hypercall-test-peer");
  }

  void TearDown() override {
    victim_.reset();
    holders_.clear();
    OtherUidTest::TearDown();
  }

  // A VMM process of its own (root) that attaches `name` and outlives the
  // daemon.
  ProviderProcess& Hold(const std::string& name) {
    auto holder = StartPeer({peer_, "--hold", "attach", daemon_->runtime_dir(), name}, std::nullopt,
                            dir_ + "/" + name + ".log", name + ": attached");
    EXPECT_TRUE(holder.ok()) << holder.status();
    holders_.push_back(*std::move(holder));
    return *holders_.back();
  }

  std::string AttachAsNobody(const std::string& name) {
    const CommandResult run =
        RunCommand({peer_, "attach", daemon_->runtime_dir(), name}, 20000, kNobody);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run.out;
  }

  std::string peer_;
  std::unique_ptr<TestVm> victim_;
  std::vector<std::unique_ptr<ProviderProcess>> holders_;
};

TEST_F(RestartGraceTest, TheVmmThatHeldANameGetsItBackFirst) {
  auto victim = TestVm::Attach(Connect(daemon_->vmm_target()), "victim", 1);
  ASSERT_TRUE(victim.ok()) << victim.status();
  ProviderProcess& orphan = Hold("orphan");
  const pid_t orphan_pid = orphan.pid();

  ASSERT_TRUE(daemon_->Restart().ok());  // SIGKILL, as a crash would.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THAT(AttachAsNobody("victim"),
              StartsWith("victim: refused UNAVAILABLE: VM 'victim' is reserved for its VMM (pid " +
                         std::to_string(getpid()) + ") until it re-attaches (up to "));
  EXPECT_THAT(AttachAsNobody("orphan"),
              StartsWith("orphan: refused UNAVAILABLE: VM 'orphan' is reserved for its VMM (pid " +
                         std::to_string(orphan_pid) + ")"));
  // The same process attaches it again, on a new connection.
  victim->reset();
  auto again = TestVm::Attach(Connect(daemon_->vmm_target()), "victim", 1);
  EXPECT_TRUE(again.ok()) << again.status();
  victim_ = *std::move(again);

  // The orphan's VMM goes away without re-attaching: once the grace period
  // is over, its name is anyone's.
  orphan.Signal(SIGKILL);
  orphan.Wait(10000);
  std::this_thread::sleep_until(started + std::chrono::milliseconds(kGraceMs));
  EXPECT_EQ(AttachAsNobody("orphan"), "orphan: attached\n");
  EXPECT_THAT(daemon_->Log(), HasSubstr("reserving 2 VM names for 5s for the VMMs that held them"));
}

TEST_F(RestartGraceTest, ANameWhoseVmmIsGoneByTheStartIsFreeAtOnce) {
  ProviderProcess& gone = Hold("gone");
  const pid_t gone_pid = gone.pid();
  auto kept = TestVm::Attach(Connect(daemon_->vmm_target()), "kept", 1);
  ASSERT_TRUE(kept.ok()) << kept.status();
  // A graceful stop (systemctl restart) keeps the names for the next start
  // too; the VMM of one dies while no daemon runs.
  ASSERT_TRUE(daemon_->Stop().ok());
  struct stat info {};
  ASSERT_EQ(stat((daemon_->runtime_dir() + "/held-vm-names").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_uid, 0u);
  gone.Signal(SIGKILL);
  gone.Wait(10000);
  ASSERT_TRUE(daemon_->Restart().ok());

  EXPECT_EQ(AttachAsNobody("gone"), "gone: attached\n");
  EXPECT_THAT(AttachAsNobody("kept"), HasSubstr("kept: refused UNAVAILABLE"));
  EXPECT_THAT(daemon_->Log(), HasSubstr("VM 'gone' is not reserved: its VMM (pid " +
                                        std::to_string(gone_pid) + ") is gone"));
}

TEST_F(RestartGraceTest, ABrokenFileCostsTheReservationsNotTheDaemon) {
  ASSERT_TRUE(daemon_->Stop().ok());
  std::ofstream(daemon_->runtime_dir() + "/held-vm-names")
      << "victim " << getpid() << " 0 not-a-number\n\x01\xfe\n"
      << std::string(4096, 'x') << "\n";
  ASSERT_TRUE(daemon_->Restart().ok());
  EXPECT_EQ(AttachAsNobody("victim"), "victim: attached\n");
  EXPECT_THAT(daemon_->Log(), HasSubstr("held-vm-names: skipped line 1: PID, UID or START_TIME"));
}

}  // namespace
}  // namespace hypercall::testing
