#include "vcpu_port.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "call_test_plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/return_codes.h"
#include "transport.h"

namespace hypercall::shim::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kMemoryCall;
using testing::kRamBase;
using testing::kSmc32Call;

constexpr uint64_t kNotSupportedX0 = static_cast<uint64_t>(smccc::kNotSupported);

// What the daemon would do, scripted: the calls the link carried and the
// answer it gives.
struct Script {
  std::vector<smccc::Call> calls;
  std::vector<Deadline> deadlines;
  absl::StatusOr<smccc::Result> answer = smccc::Result::Code(smccc::kSuccess);
  bool closed = false;
};

class ScriptedLink final : public VcpuLink {
 public:
  explicit ScriptedLink(Script& script) : script_(script) {}
  absl::StatusOr<smccc::Result> RoundTrip(const smccc::Call& call, Deadline deadline) override {
    script_.calls.push_back(call);
    script_.deadlines.push_back(deadline);
    return script_.answer;
  }
  void Close(Deadline) override { script_.closed = true; }

 private:
  Script& script_;
};

class ScriptedTransport final : public Transport {
 public:
  const ForwardingPlan& plan() const override { return plan_; }
  bool attached() const override { return attached_; }
  std::chrono::milliseconds call_deadline() const override { return call_deadline_; }
  bool Refused(uint32_t fid) const override { return fid == refused_; }
  uint64_t attach_count() const override { return 1; }
  std::unique_ptr<VcpuLink> OpenVcpu(uint32_t) override {
    return std::make_unique<ScriptedLink>(script_);
  }

  bool attached_ = true;
  std::chrono::milliseconds call_deadline_{1000};
  // One ID the daemon refused at the last re-attach; 0: none.
  uint32_t refused_ = 0;
  Script script_;

 private:
  const ForwardingPlan plan_ = testing::CallTestPlan();
};

class VcpuPortTest : public ::testing::Test {
 protected:
  VcpuPortTest() {
    options_.log = [this](LogSeverity, const std::string& line) { log_.push_back(line); };
    port_ = std::make_unique<VcpuPort>(3, transport_, &memory_, options_);
  }

  CallOutcome Handle() {
    absl::StatusOr<CallOutcome> outcome = port_->Handle(vcpu_);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *std::move(outcome) : CallOutcome();
  }

  ScriptedTransport transport_;
  Script& script_ = transport_.script_;
  std::vector<uint8_t> ram_;
  MappedGuestMemory memory_ = testing::TestRam(ram_);
  ShimOptions options_;
  std::vector<std::string> log_;
  std::unique_ptr<VcpuPort> port_;
  SimulatedVcpu vcpu_;
};

TEST_F(VcpuPortTest, AnUnplannedCallIsAnsweredWithoutTheLink) {
  vcpu_.Issue(0x86000000, {1});
  const CallOutcome outcome = Handle();
  EXPECT_EQ(outcome.disposition, Disposition::kNotPlanned);
  EXPECT_EQ(vcpu_.x(0), 0xffffffffu) << "NOT_SUPPORTED as a w register";
  EXPECT_TRUE(script_.calls.empty());
  EXPECT_EQ(outcome.registers.reads, 0u);
  EXPECT_EQ(outcome.registers.writes, 1u);
}

TEST_F(VcpuPortTest, UnattachedCallsAreAnsweredAtOnceReadingNothing) {
  transport_.attached_ = false;
  vcpu_.Issue(kSmc32Call, {1, 2});
  const CallOutcome outcome = Handle();
  EXPECT_EQ(outcome.disposition, Disposition::kUnavailable);
  EXPECT_EQ(outcome.detail, "not attached to hypercalld");
  EXPECT_TRUE(script_.calls.empty());
  EXPECT_EQ(outcome.registers.reads, 0u);
}

TEST(CallWaitTest, TheShimWaitsALittleLongerThanTheDaemonNeverLess) {
  using std::chrono::milliseconds;
  EXPECT_EQ(CallWait(milliseconds(500), milliseconds(0)), milliseconds(500)) << "daemon says none";
  EXPECT_EQ(CallWait(milliseconds(500), milliseconds(1000)), milliseconds(1100));
  EXPECT_EQ(CallWait(milliseconds(100), milliseconds(200)), milliseconds(250)) << "50 ms at least";
  EXPECT_EQ(CallWait(milliseconds(2000), milliseconds(1000)), milliseconds(2000))
      << "own is longer";
}

TEST_F(VcpuPortTest, ACallInARangeTheDaemonRefusedIsAnsweredLocallyReadingNothing) {
  transport_.refused_ = kSmc32Call;
  vcpu_.Issue(kSmc32Call, {1, 2});
  const CallOutcome outcome = Handle();
  EXPECT_EQ(outcome.disposition, Disposition::kUnavailable);
  EXPECT_THAT(outcome.detail, HasSubstr("does not serve this part of the VM's plan"));
  EXPECT_EQ(vcpu_.x(0), 0xffffffffu);
  EXPECT_TRUE(script_.calls.empty());
  EXPECT_EQ(outcome.registers.reads, 0u);
  EXPECT_TRUE(log_.empty()) << "the transport logged the refusal once; calls are only counted";
}

TEST_F(VcpuPortTest, EachCallWaitsAsLongAsTheTransportSaysNow) {
  transport_.call_deadline_ = std::chrono::milliseconds(1700);
  vcpu_.Issue(kSmc32Call, {1, 2});
  const auto before = Clock::now();
  Handle();
  ASSERT_EQ(script_.deadlines.size(), 1u);
  EXPECT_GE(script_.deadlines[0], before + std::chrono::milliseconds(1700));
  EXPECT_LE(script_.deadlines[0], Clock::now() + std::chrono::milliseconds(1700));
}

TEST_F(VcpuPortTest, ABrokeredCallCarriesTheAssembledCallAndWritesTheResult) {
  smccc::Result answer = smccc::Result::Code(smccc::kSuccess);
  answer.Set(1, 42);
  script_.answer = answer;
  vcpu_.Issue(kSmc32Call, {5, 6, 7}, smccc::Conduit::kSmc);
  const CallOutcome outcome = Handle();
  EXPECT_EQ(outcome.disposition, Disposition::kBrokered);
  ASSERT_EQ(script_.calls.size(), 1u);
  EXPECT_EQ(script_.calls[0].function_id, kSmc32Call);
  EXPECT_EQ(script_.calls[0].conduit, smccc::Conduit::kSmc);
  EXPECT_EQ(script_.calls[0].x[1], 5u);
  EXPECT_EQ(script_.calls[0].x[2], 6u);
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 42u);
  EXPECT_EQ(outcome.registers.reads, 2u);
  EXPECT_EQ(outcome.registers.writes, 2u);
  const VcpuStats stats = port_->stats();
  EXPECT_EQ(stats.calls, 1u);
  EXPECT_EQ(stats.brokered, 1u);
  EXPECT_EQ(stats.register_reads, 2u);
  EXPECT_EQ(stats.register_writes, 2u);
}

TEST_F(VcpuPortTest, ALateDaemonIsDeadlineExceededAGoneOneUnavailable) {
  vcpu_.Issue(kSmc32Call, {1, 2});
  script_.answer = absl::DeadlineExceededError("late");
  EXPECT_EQ(Handle().disposition, Disposition::kDeadlineExceeded);
  EXPECT_EQ(vcpu_.x(0), 0xffffffffu);
  vcpu_.Issue(kSmc32Call, {1, 2});
  script_.answer = absl::UnavailableError("gone");
  const CallOutcome outcome = Handle();
  EXPECT_EQ(outcome.disposition, Disposition::kUnavailable);
  EXPECT_THAT(outcome.detail, HasSubstr("gone"));
  EXPECT_EQ(port_->stats().deadline_exceeded, 1u);
  EXPECT_EQ(port_->stats().unavailable, 1u);
}

TEST_F(VcpuPortTest, ABadAddressIsNeverForwarded) {
  vcpu_.Issue(kMemoryCall, {0x10, kRamBase});
  EXPECT_EQ(Handle().disposition, Disposition::kBadAddress);
  EXPECT_TRUE(script_.calls.empty());
  EXPECT_EQ(vcpu_.x(0), static_cast<uint64_t>(smccc::kInvalidParameter));
}

TEST_F(VcpuPortTest, AMalformedResultIsLoggedOncePerVcpu) {
  smccc::Result answer = smccc::Result::Code(smccc::kSuccess);
  answer.memory.emplace_back().operand = 0;  // The IN buffer: not the daemon's to write.
  script_.answer = answer;
  for (int i = 0; i < 2; ++i) {
    vcpu_.Issue(kMemoryCall, {kRamBase, kRamBase + 0x40});
    EXPECT_EQ(Handle().disposition, Disposition::kMalformedResult);
    EXPECT_EQ(vcpu_.x(0), kNotSupportedX0);
  }
  EXPECT_THAT(log_, ElementsAre(HasSubstr("vCPU 3: call 0xc3000003")));
  EXPECT_EQ(port_->stats().malformed_result, 2u);
}

TEST_F(VcpuPortTest, CloseClosesTheLink) {
  port_->Close(Clock::now());
  EXPECT_TRUE(script_.closed);
}

}  // namespace
}  // namespace hypercall::shim::internal
