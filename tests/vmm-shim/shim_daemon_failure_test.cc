// The guest is never stuck: the shim against a daemon that is missing,
// killed, frozen, or restarted on the same runtime directory.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>

#include "gmock/gmock.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/known_calls.h"
#include "support/shim_test_fixture.h"
#include "wait_until.h"

namespace hypercall::shim::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Scheduling slack on a loaded 2-core machine.
constexpr milliseconds kSlack{300};

using ShimDaemonFailureTest = ShimWithDaemonTest;

CallOutcome Rnd64(Shim& shim, SimulatedVcpu& vcpu) {
  vcpu.Issue(smccc::kTrngRnd64, {64});
  absl::StatusOr<CallOutcome> out = shim.HandleHypercall(0, vcpu);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : CallOutcome{};
}

TEST(ShimWithoutDaemonTest, ConnectFailsWithinTheAttachTimeoutNamingTheSocket) {
  ShimOptions options;
  options.runtime_dir = "/nonexistent/hypercalld-shim-test";
  options.attach_timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  VmDescription vm;
  vm.name = "lonely";
  auto shim = Shim::Connect(vm, options);
  ASSERT_FALSE(shim.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.attach_timeout + kSlack);
  EXPECT_TRUE(absl::IsUnavailable(shim.status()) || absl::IsDeadlineExceeded(shim.status()))
      << shim.status();
  EXPECT_THAT(shim.status().message(), HasSubstr("/nonexistent/hypercalld-shim-test/vmm.sock"));
}

TEST_F(ShimDaemonFailureTest, KilledDaemonCallsAnswerNotSupportedWithinTheDeadline) {
  auto shim = ConnectOrDie("killed-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  ASSERT_EQ(Rnd64(*shim, vcpu).disposition, Disposition::kBrokered);

  daemon_->Signal(SIGKILL);
  // Right after the kill the shim may not know yet: every call still ends
  // within the deadline, and none is left unanswered.
  for (int i = 0; i < 5; ++i) {
    CallOutcome out = Rnd64(*shim, vcpu);
    EXPECT_LT(out.latency, kCallDeadline + kSlack);
    if (out.disposition != Disposition::kBrokered) {
      EXPECT_EQ(vcpu.x(0), ~uint64_t{0}) << DispositionName(out.disposition);
      EXPECT_EQ(out.registers.writes, 1u);
    }
  }
  ASSERT_TRUE(WaitUntil([&] { return !shim->connected(); }, 5000));
  EXPECT_TRUE(Logged("lost hypercalld"));

  // Known to be gone: answered at once, without reading the arguments.
  CallOutcome out = Rnd64(*shim, vcpu);
  EXPECT_EQ(out.disposition, Disposition::kUnavailable);
  EXPECT_EQ(vcpu.x(0), ~uint64_t{0});
  EXPECT_EQ(out.registers.reads, 0u);
  EXPECT_LT(out.latency, kCallDeadline / 2);
}

TEST_F(ShimDaemonFailureTest, AnIdleVmNoticesTheDaemonGoingAndComingBack) {
  auto shim = ConnectOrDie("idle-vm");
  ASSERT_NE(shim, nullptr);
  daemon_->Signal(SIGKILL);
  // No call is made: the session thread's own checks must notice.
  ASSERT_TRUE(WaitUntil([&] { return !shim->connected(); }, 5000));
  const absl::Status restarted = daemon_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_TRUE(WaitUntil([&] { return shim->connected(); }, 10000));
}

TEST_F(ShimDaemonFailureTest, FrozenDaemonCallsTimeOutAndRecoverWhenItThaws) {
  auto shim = ConnectOrDie("frozen-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  ASSERT_EQ(Rnd64(*shim, vcpu).disposition, Disposition::kBrokered);

  daemon_->Signal(SIGSTOP);
  int status = 0;
  ASSERT_EQ(waitpid(daemon_->pid(), &status, WUNTRACED), daemon_->pid());
  ASSERT_TRUE(WIFSTOPPED(status));
  CallOutcome out = Rnd64(*shim, vcpu);
  EXPECT_EQ(out.disposition, Disposition::kDeadlineExceeded) << out.detail;
  EXPECT_EQ(vcpu.x(0), ~uint64_t{0});
  // Not the shim's own 500 ms: a little longer than the daemon's call
  // deadline (1 s by default), which its plan says.
  constexpr milliseconds kWait{1100};
  EXPECT_GE(out.latency, kWait - milliseconds(5));
  EXPECT_LT(out.latency, kWait + kSlack);
  EXPECT_EQ(shim->vcpu_stats(0).deadline_exceeded, 1u);

  daemon_->Signal(SIGCONT);
  // The timed-out stream is dropped; the next calls reopen one.
  EXPECT_TRUE(
      WaitUntil([&] { return Rnd64(*shim, vcpu).disposition == Disposition::kBrokered; }, 5000));
  EXPECT_EQ(vcpu.x(0), 0u);
}

TEST_F(ShimDaemonFailureTest, RestartedDaemonIsReattachedAndServesCallsAgain) {
  auto shim = ConnectOrDie("phoenix-vm", 2);
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  ASSERT_EQ(Rnd64(*shim, vcpu).disposition, Disposition::kBrokered);
  const ForwardingPlan plan_before = shim->plan();

  daemon_->Signal(SIGKILL);
  ASSERT_TRUE(WaitUntil([&] { return !shim->connected(); }, 5000));
  EXPECT_EQ(Rnd64(*shim, vcpu).disposition, Disposition::kUnavailable);

  const absl::Status restarted = daemon_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  ASSERT_TRUE(WaitUntil([&] { return shim->connected(); }, 10000));
  EXPECT_EQ(shim->attach_count(), 2u);
  EXPECT_TRUE(Logged("re-attached"));
  EXPECT_FALSE(Logged("keeping the installed plan")) << "same daemon, same plan";
  EXPECT_EQ(shim->plan(), plan_before);

  CallOutcome out = Rnd64(*shim, vcpu);
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0u);
  // A vCPU that never called before the restart opens its stream now.
  SimulatedVcpu second;
  second.Issue(smccc::kTrngVersion);
  absl::StatusOr<CallOutcome> v1 = shim->HandleHypercall(1, second);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->disposition, Disposition::kBrokered) << v1->detail;
  EXPECT_EQ(second.x(0), 0x10000u);
}

}  // namespace
}  // namespace hypercall::shim::testing
