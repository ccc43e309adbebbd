// The broker's side of an out-of-process provider, with the process played
// by a fake link (answering through a FaultProvider where the test is about
// how it answers): claims and their refusals (memory operands included),
// calls answered, late, twice, or never, with memory, the process going
// away mid-call, and detach notices. Deadlines run on a FakeClock.
#include "providers/remote/remote_provider.h"

#include <atomic>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/broker.h"
#include "core/vcpu_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smccc/return_codes.h"
#include "support/fake_clock.h"
#include "support/fault_provider.h"

namespace hypercall::providers {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr uint32_t kFirst = 0xC3000000;
constexpr uint64_t kNotSupported = ~uint64_t{0};
// A configured range whose calls pass memory (MemoryOperands()).
constexpr uint32_t kMemory = 0xC3001000;

// x1 -> 64 bytes in; x2 -> 64 bytes out.
std::vector<smccc::MemoryOperand> MemoryOperands() {
  return {smccc::MemoryOperand::At(1, 64, smccc::MemoryDirection::kIn),
          smccc::MemoryOperand::At(2, 64, smccc::MemoryDirection::kOut)};
}

// Records what the daemon sends the "process".
class FakeLink : public ProviderLink {
 public:
  bool SendCall(uint64_t call_id, const provider::CallContext&, const smccc::Call& call,
                std::chrono::nanoseconds) override {
    absl::MutexLock lock(&mu_);
    if (refuse_) return false;
    sent_.push_back({call_id, call.function_id});
    memory_.push_back(call.memory);
    return true;
  }
  bool SendVmDetached(std::string_view vm) override {
    absl::MutexLock lock(&mu_);
    if (refuse_) return false;
    detached_.emplace_back(vm);
    return true;
  }
  void GiveUp(const absl::Status& reason) override {
    absl::MutexLock lock(&mu_);
    given_up_ = reason;
  }
  // Why the provider gave the process up; nullopt while it has not.
  std::optional<absl::Status> given_up() {
    absl::MutexLock lock(&mu_);
    return given_up_;
  }
  // The VMs of every detach notice sent, in order.
  std::vector<std::string> detached() {
    absl::MutexLock lock(&mu_);
    return detached_;
  }
  // The memory buffers of every call sent, in order.
  std::vector<std::vector<smccc::MemoryBuffer>> memory() {
    absl::MutexLock lock(&mu_);
    return memory_;
  }
  struct Sent {
    uint64_t call_id;
    uint32_t function_id;
  };
  // Waits for the next call sent.
  Sent NextCall() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::deque<Sent>* sent) { return !sent->empty(); }, &sent_));
    const Sent next = sent_.front();
    sent_.pop_front();
    return next;
  }
  // Waits for the next call sent; returns its id.
  uint64_t NextCallId() { return NextCall().call_id; }
  void Refuse() {
    absl::MutexLock lock(&mu_);
    refuse_ = true;
  }

 private:
  absl::Mutex mu_;
  std::deque<Sent> sent_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<smccc::MemoryBuffer>> memory_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> detached_ ABSL_GUARDED_BY(mu_);
  bool refuse_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> given_up_ ABSL_GUARDED_BY(mu_);
};

// One vCPU's wait for its answer.
class Answer : public provider::Completion {
 public:
  void Complete(const smccc::Result& result) override {
    if (done_.HasBeenNotified()) ADD_FAILURE() << "answered twice";
    result_ = result;
    done_.Notify();
  }
  bool Arrived(absl::Duration within = absl::Seconds(5)) {
    return done_.WaitForNotificationWithTimeout(within);
  }
  const smccc::Result& result() const { return result_; }

 private:
  absl::Notification done_;
  smccc::Result result_;
};

smccc::Call CallTo(uint32_t function_id) {
  smccc::Call call;
  call.function_id = function_id;
  return call;
}

// Plays the provider process with a FaultProvider: the calls sent over the
// link go to it, and its answers back through the RemoteProvider, which
// takes or drops each (recorded in order).
class FaultProcess {
 public:
  FaultProcess(RemoteProvider& remote, FakeLink& link, testing::FaultProvider& fault)
      : remote_(remote), link_(link), fault_(fault) {}

  // Hands the next call sent over the link to the fault provider.
  void ServeNext(const std::shared_ptr<RemoteProvider::Connection>& connection) {
    const FakeLink::Sent sent = link_.NextCall();
    answers_.emplace_back(*this, connection, sent.call_id);
    fault_.Handle({.vm = "vm", .vcpu = 0}, CallTo(sent.function_id), answers_.back());
  }
  // For each answer given, whether the RemoteProvider took it.
  std::vector<bool> taken() {
    absl::MutexLock lock(&mu_);
    return taken_;
  }

 private:
  class ProcessAnswer final : public provider::Completion {
   public:
    ProcessAnswer(FaultProcess& process, std::shared_ptr<RemoteProvider::Connection> connection,
                  uint64_t call_id)
        : process_(process), connection_(std::move(connection)), call_id_(call_id) {}
    void Complete(const smccc::Result& result) override {
      const bool taken = process_.remote_.Answer(connection_, call_id_, result);
      absl::MutexLock lock(&process_.mu_);
      process_.taken_.push_back(taken);
    }

   private:
    FaultProcess& process_;
    const std::shared_ptr<RemoteProvider::Connection> connection_;
    const uint64_t call_id_;
  };

  RemoteProvider& remote_;
  FakeLink& link_;
  testing::FaultProvider& fault_;
  std::deque<ProcessAnswer> answers_;
  absl::Mutex mu_;
  std::vector<bool> taken_ ABSL_GUARDED_BY(mu_);
};

// A call to kMemory as the VMM sends it: x1 -> 64 bytes in (all 'i'),
// x2 -> 64 bytes out.
smccc::Call MemoryCall() {
  smccc::Call call = CallTo(kMemory);
  call.x[1] = 0x1000;
  call.x[2] = 0x2000;
  call.memory = {{.operand = 0,
                  .guest_phys_addr = 0x1000,
                  .length = 64,
                  .direction = smccc::MemoryDirection::kIn,
                  .data = std::string(64, 'i')},
                 {.operand = 1,
                  .guest_phys_addr = 0x2000,
                  .length = 64,
                  .direction = smccc::MemoryDirection::kOut,
                  .data = ""}};
  return call;
}

class RemoteProviderTest : public ::testing::Test {
 protected:
  RemoteProviderTest() : provider_(Options(), timer_) {}

  static RemoteProviderOptions Options() {
    RemoteProviderOptions options;
    options.name = "oem";
    options.allowed = {{{kFirst, kFirst + 0xFF}, 0x6, {}},
                       {{0x83000000, 0x830000FF}, 0x3fffe, {}},
                       {{kMemory, kMemory + 0xF}, 0x6, MemoryOperands()}};
    options.call_deadline = milliseconds(200);
    options.max_in_flight = 4;
    options.max_missed_deadlines = 3;
    return options;
  }

  void Call(uint32_t function_id, Answer& answer) {
    provider_.Handle({.vm = "vm", .vcpu = 0}, CallTo(function_id), answer);
  }

  // One call to kFirst whose deadline passes unanswered.
  void MissADeadline() {
    Answer answer;
    Call(kFirst, answer);
    link_.NextCallId();
    clock_.Advance(absl::Milliseconds(200));
    ASSERT_TRUE(answer.Arrived());
  }

  testing::FakeClock clock_;
  base::CallTimer timer_{clock_};
  RemoteProvider provider_;
  FakeLink link_;
  testing::FaultProvider fault_{{}};
  FaultProcess process_{provider_, link_, fault_};
};

TEST_F(RemoteProviderTest, AnUnclaimedRangeIsNotSupportedAtOnce) {
  Answer answer;
  Call(kFirst, answer);
  ASSERT_TRUE(answer.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().unclaimed, 1u);
}

TEST_F(RemoteProviderTest, AClaimedCallIsForwardedAndAnswered) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0x2, {}}).ok());
  Answer answer;
  Call(kFirst + 1, answer);
  const uint64_t id = link_.NextCallId();
  smccc::Result result;
  result.Set(0, 0);
  result.Set(17, 0x1717);
  EXPECT_TRUE(provider_.Answer(connection, id, result));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[17], 0x1717u);
  EXPECT_EQ(provider_.stats().forwarded, 1u);
  EXPECT_EQ(provider_.stats().answered, 1u);
  ASSERT_EQ(provider_.Serving().size(), 1u);
  EXPECT_EQ(provider_.Serving()[0].pid, 7);
}

TEST_F(RemoteProviderTest, ClaimsOutsideTheConfigAreRefusedSayingWhatIsAllowed) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  absl::Status outside = provider_.Claim(connection, {{kFirst + 0xF0, kFirst + 0x100}, 0, {}});
  EXPECT_EQ(outside.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(outside.message(),
              HasSubstr("range 0xc30000f0-0xc3000100 is outside what provider \"oem\" may claim "
                        "(0xc3000000-0xc30000ff, 0x83000000-0x830000ff"));
  absl::Status reads = provider_.Claim(connection, {{kFirst, kFirst}, 0x3e, {}});
  EXPECT_EQ(reads.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(reads.message(), HasSubstr("reads x3-x5, but provider \"oem\" may read only x1-x2 "
                                         "in range 0xc3000000-0xc30000ff"));
  EXPECT_EQ(provider_.Claim(connection, {{kFirst + 2, kFirst + 1}, 0, {}}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RemoteProviderTest, ClaimsMustPassExactlyTheConfiguredMemoryOperands) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  absl::Status none = provider_.Claim(connection, {{kMemory, kMemory}, 0x6, {}});
  EXPECT_EQ(none.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(none.message(),
              HasSubstr("range 0xc3001000-0xc3001000 passes memory none, but provider \"oem\" "
                        "passes x1 -> 64 bytes in; x2 -> 64 bytes out in range "
                        "0xc3001000-0xc300100f: claim exactly those, in that order"));
  std::vector<smccc::MemoryOperand> swapped = MemoryOperands();
  std::swap(swapped[0], swapped[1]);
  absl::Status order = provider_.Claim(connection, {{kMemory, kMemory}, 0x6, swapped});
  EXPECT_EQ(order.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(order.message(), HasSubstr("passes memory x2 -> 64 bytes out; x1 -> 64 bytes in"));
  std::vector<smccc::MemoryOperand> bad_x0 = MemoryOperands();
  bad_x0[1].bad_address_x0 = 5;
  absl::Status x0 = provider_.Claim(connection, {{kMemory, kMemory}, 0x6, bad_x0});
  EXPECT_EQ(x0.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(x0.message(),
              HasSubstr("(operand 1: x0 0x5 for a bad address), but provider \"oem\" passes"));
  // Memory on a range the config gives none.
  absl::Status extra = provider_.Claim(connection, {{kFirst, kFirst}, 0x6, MemoryOperands()});
  EXPECT_EQ(extra.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(extra.message(), HasSubstr("but provider \"oem\" passes none in range"));
  // Exactly the configured ones, on part of the range.
  EXPECT_TRUE(provider_.Claim(connection, {{kMemory, kMemory + 3}, 0x6, MemoryOperands()}).ok());
}

TEST_F(RemoteProviderTest, CallsCarryTheirMemoryToTheProcessAndItsWritesBack) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kMemory, kMemory}, 0x6, MemoryOperands()}).ok());
  smccc::Call call = MemoryCall();
  Answer answer;
  provider_.Handle({.vm = "vm", .vcpu = 0}, call, answer);
  const uint64_t id = link_.NextCallId();
  ASSERT_EQ(link_.memory().size(), 1u);
  EXPECT_EQ(link_.memory()[0], call.memory);
  smccc::Result result;
  result.memory = {{.operand = 1, .data = "out"}};
  EXPECT_TRUE(provider_.Answer(connection, id, result));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().memory, result.memory);
}

TEST_F(RemoteProviderTest, TwoProcessesRacingForOneRangeOneWinsAndTheOtherIsToldWho) {
  FakeLink other_link;
  auto first = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  auto second = provider_.Connect(other_link, {.pid = 8, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(first, {{kFirst, kFirst + 0xF}, 0, {}}).ok());
  absl::Status lost = provider_.Claim(second, {{kFirst + 8, kFirst + 0x18}, 0, {}});
  EXPECT_EQ(lost.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(lost.message(),
              HasSubstr("overlaps range 0xc3000000-0xc300000f of provider \"oem\", served by "
                        "pid 7 uid 990 gid 990"));
  // A disjoint part is the second one's to take.
  EXPECT_TRUE(provider_.Claim(second, {{kFirst + 0x10, kFirst + 0x18}, 0, {}}).ok());
  // Once the first is gone, its range is free.
  provider_.Disconnect(first);
  EXPECT_TRUE(provider_.Claim(second, {{kFirst, kFirst + 0xF}, 0, {}}).ok());
  EXPECT_EQ(provider_.Claim(first, {{0x83000000, 0x83000000}, 0, {}}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RemoteProviderTest, ASlowProcessIsCutOffAtTheDeadlineAndItsLateAnswerDropped) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  fault_.Then({.fault = testing::FaultProvider::Fault::kHeld, .result = smccc::Result::Code(0)});
  Answer answer;
  Call(kFirst, answer);
  process_.ServeNext(connection);
  clock_.Advance(absl::Milliseconds(199));
  EXPECT_FALSE(answer.Arrived(absl::ZeroDuration()));
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().timed_out, 1u);
  fault_.Release(0);
  EXPECT_THAT(process_.taken(), ::testing::ElementsAre(false));
  EXPECT_EQ(provider_.stats().stray_results, 1u);
}

TEST_F(RemoteProviderTest, AProcessThatNeverAnswersHoldsTheVcpuOnlyUntilTheDeadline) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  fault_.Then({.fault = testing::FaultProvider::Fault::kNever, .result = smccc::Result::Code(0)});
  Answer answer;
  Call(kFirst, answer);
  process_.ServeNext(connection);
  EXPECT_FALSE(answer.Arrived(absl::ZeroDuration()));
  clock_.Advance(absl::Milliseconds(200));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().timed_out, 1u);
  EXPECT_TRUE(process_.taken().empty());
}

TEST_F(RemoteProviderTest, AProcessMissingDeadlinesInARowIsGivenUpAndItsRangesFreed) {
  auto stalled = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(stalled, {{kFirst, kFirst}, 0, {}}).ok());
  MissADeadline();
  MissADeadline();
  EXPECT_FALSE(link_.given_up().has_value());
  // Another process cannot take the range while the first still holds it.
  FakeLink other_link;
  auto other = provider_.Connect(other_link, {.pid = 8, .uid = 990, .gid = 990, .groups = {}});
  EXPECT_EQ(provider_.Claim(other, {{kFirst, kFirst}, 0, {}}).code(),
            absl::StatusCode::kAlreadyExists);
  MissADeadline();
  ASSERT_TRUE(link_.given_up().has_value());
  EXPECT_EQ(link_.given_up()->code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(link_.given_up()->message()),
              ::testing::HasSubstr("limits.max_missed_deadlines"));
  EXPECT_EQ(provider_.stats().given_up, 1u);
  EXPECT_TRUE(provider_.Serving().empty());
  // Its range is free at once, before its stream has ended.
  ASSERT_TRUE(provider_.Claim(other, {{kFirst, kFirst}, 0, {}}).ok());
  Answer answer;
  Call(kFirst, answer);
  const uint64_t id = other_link.NextCallId();
  EXPECT_TRUE(provider_.Answer(other, id, smccc::Result::Code(0)));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[0], 0u);
}

TEST_F(RemoteProviderTest, AnAnswerInTimeStartsTheCountOfMissedDeadlinesAgain) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  for (int round = 0; round < 3; ++round) {
    MissADeadline();
    MissADeadline();
    Answer answer;
    Call(kFirst, answer);
    EXPECT_TRUE(provider_.Answer(connection, link_.NextCallId(), smccc::Result::Code(0)));
    ASSERT_TRUE(answer.Arrived());
  }
  EXPECT_FALSE(link_.given_up().has_value());
  EXPECT_EQ(provider_.Serving().size(), 1u);
}

TEST_F(RemoteProviderTest, SecondAndUnaskedAnswersAreDropped) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  fault_.Then({.fault = testing::FaultProvider::Fault::kTwice, .result = smccc::Result::Code(5)});
  Answer answer;
  Call(kFirst, answer);
  process_.ServeNext(connection);
  EXPECT_THAT(process_.taken(), ::testing::ElementsAre(true, false));
  EXPECT_FALSE(provider_.Answer(connection, 100, smccc::Result::Code(7)));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[0], 5u);
  EXPECT_EQ(provider_.stats().stray_results, 2u);
}

TEST_F(RemoteProviderTest, AnAnswerAfterTheProcessDisconnectedIsDropped) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  fault_.Then({.fault = testing::FaultProvider::Fault::kHeld, .result = smccc::Result::Code(5)});
  Answer answer;
  Call(kFirst, answer);
  process_.ServeNext(connection);
  provider_.Disconnect(connection);
  ASSERT_TRUE(answer.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  fault_.Release(0);
  EXPECT_THAT(process_.taken(), ::testing::ElementsAre(false));
  EXPECT_EQ(provider_.stats().disconnected, 1u);
  EXPECT_EQ(provider_.stats().stray_results, 1u);
}

TEST_F(RemoteProviderTest, AProcessThatDiesMidCallLeavesNoVcpuWaiting) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0, {}}).ok());
  Answer first, second;
  Call(kFirst, first);
  Call(kFirst + 1, second);
  link_.NextCallId();
  link_.NextCallId();
  provider_.Disconnect(connection);
  ASSERT_TRUE(first.Arrived(absl::ZeroDuration()));
  ASSERT_TRUE(second.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(first.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().disconnected, 2u);
  // Its range is unclaimed now.
  Answer after;
  Call(kFirst, after);
  ASSERT_TRUE(after.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(provider_.stats().unclaimed, 1u);
}

TEST_F(RemoteProviderTest, CallsBeyondTheInFlightLimitAreNotSupported) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0, {}}).ok());
  std::vector<Answer> answers(5);
  for (Answer& answer : answers) Call(kFirst, answer);
  ASSERT_TRUE(answers[4].Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answers[4].result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().over_limit, 1u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(provider_.Answer(connection, link_.NextCallId(), smccc::Result::Code(0)));
  }
}

TEST_F(RemoteProviderTest, ACallTheLinkCannotSendIsNotSupported) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  link_.Refuse();
  Answer answer;
  Call(kFirst, answer);
  ASSERT_TRUE(answer.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().send_failed, 1u);
}

TEST_F(RemoteProviderTest, AVmDetachingIsToldOnceToEachServingProcessAndDroppedWhenRefused) {
  // Nobody serves yet: nothing to tell.
  provider_.VmDetached("vm-0");
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0, {}}).ok());
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst + 1, kFirst + 1}, 0, {}}).ok());
  FakeLink other_link;
  auto other = provider_.Connect(other_link, {.pid = 8, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider_.Claim(other, {{kFirst + 2, kFirst + 2}, 0, {}}).ok());
  FakeLink idle_link;
  provider_.Connect(idle_link, {.pid = 9, .uid = 990, .gid = 990, .groups = {}});

  provider_.VmDetached("vm-a");
  EXPECT_THAT(link_.detached(), ::testing::ElementsAre("vm-a"));
  EXPECT_THAT(other_link.detached(), ::testing::ElementsAre("vm-a"));
  EXPECT_TRUE(idle_link.detached().empty());
  EXPECT_EQ(provider_.stats().detach_notices, 2u);

  other_link.Refuse();
  provider_.Disconnect(connection);
  provider_.VmDetached("vm-b");
  EXPECT_THAT(link_.detached(), ::testing::ElementsAre("vm-a"));
  EXPECT_THAT(other_link.detached(), ::testing::ElementsAre("vm-a"));
  EXPECT_EQ(provider_.stats().detach_notices, 2u);
  EXPECT_EQ(provider_.stats().detach_notices_dropped, 1u);
}

TEST_F(RemoteProviderTest, ManyVcpusAtOnceEachGetTheirOwnAnswerOnce) {
  RemoteProviderOptions options = Options();
  options.max_in_flight = 1024;
  options.call_deadline = std::chrono::seconds(10);
  RemoteProvider provider(options, timer_);
  auto connection = provider.Connect(link_, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(provider.Claim(connection, {{kFirst, kFirst + 0xFF}, 0, {}}).ok());
  constexpr int kVcpus = 8, kCalls = 200;
  std::atomic<bool> stop{false};
  std::thread process([&] {
    // Answers each call with its own id, as a provider process would.
    for (int i = 0; i < kVcpus * kCalls; ++i) {
      const uint64_t id = link_.NextCallId();
      provider.Answer(connection, id, smccc::Result::Code(static_cast<int64_t>(id)));
    }
  });
  std::vector<std::thread> vcpus;
  std::atomic<int> wrong{0};
  for (int v = 0; v < kVcpus; ++v) {
    vcpus.emplace_back([&, v] {
      for (int c = 0; c < kCalls; ++c) {
        Answer answer;
        provider.Handle({.vm = "vm", .vcpu = static_cast<uint32_t>(v)}, CallTo(kFirst + v), answer);
        if (!answer.Arrived() || answer.result().x[0] == kNotSupported) ++wrong;
      }
    });
  }
  for (std::thread& vcpu : vcpus) vcpu.join();
  process.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(provider.stats().answered, uint64_t{kVcpus * kCalls});
  EXPECT_EQ(provider.stats().stray_results, 0u);
}

// Where a vCPU's results land in the broker-level test below.
class Results final : public core::ResultSink {
 public:
  void OnResult(uint64_t, const smccc::Result& result) override {
    absl::MutexLock lock(&mu_);
    results_.push_back(result);
  }
  smccc::Result Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::vector<smccc::Result>* results) { return !results->empty(); }, &results_));
    smccc::Result result = results_.front();
    results_.erase(results_.begin());
    return result;
  }

 private:
  absl::Mutex mu_;
  std::vector<smccc::Result> results_ ABSL_GUARDED_BY(mu_);
};

TEST(RemoteProviderInBrokerTest, AProcessWritingMemoryTheCallCannotTakeGetsTheGuestNotSupported) {
  base::CallTimer timer;
  FakeLink link;
  RemoteProviderOptions options;
  options.name = "oem";
  options.allowed = {{{kMemory, kMemory}, 0x6, MemoryOperands()}};
  auto owned = std::make_unique<RemoteProvider>(options, timer);
  RemoteProvider& remote = *owned;
  core::Broker broker;
  auto entry = broker.AddProvider(std::move(owned), "external");
  ASSERT_TRUE(entry.ok()) << entry.status();
  auto connection = remote.Connect(link, {.pid = 7, .uid = 990, .gid = 990, .groups = {}});
  ASSERT_TRUE(remote.Claim(connection, {{kMemory, kMemory}, 0x6, MemoryOperands()}).ok());
  auto session = broker.Attach(
      {.name = "vm", .uuid = "", .vcpu_count = 1, .ram = {}, .stolen_time = {}}, "test/1", nullptr);
  ASSERT_TRUE(session.ok()) << session.status();
  Results results;
  core::VcpuChannel channel(broker, *session, 0, results);

  smccc::Call call = MemoryCall();
  const std::vector<std::vector<smccc::MemoryBuffer>> bad = {
      {{.operand = 1, .data = std::string(65, 'o')}},              // Too many bytes.
      {{.operand = 0, .data = "in"}},                              // An IN operand.
      {{.operand = 1, .data = "a"}, {.operand = 1, .data = "b"}},  // Twice.
  };
  for (const std::vector<smccc::MemoryBuffer>& memory : bad) {
    ASSERT_TRUE(channel.Submit(1, call).ok());
    smccc::Result answer = smccc::Result::Code(0);
    answer.memory = memory;
    EXPECT_TRUE(remote.Answer(connection, link.NextCallId(), answer));
    const smccc::Result got = results.Next();
    EXPECT_EQ(got.x[0], kNotSupported);
    EXPECT_TRUE(got.memory.empty());
  }
  EXPECT_EQ((*entry)->bad_results.load(), bad.size());
  // A good answer still goes through, placed where the call said.
  ASSERT_TRUE(channel.Submit(2, call).ok());
  smccc::Result answer = smccc::Result::Code(0);
  answer.memory = {{.operand = 1, .data = "ok"}};
  EXPECT_TRUE(remote.Answer(connection, link.NextCallId(), answer));
  const smccc::Result got = results.Next();
  EXPECT_EQ(got.x[0], 0u);
  ASSERT_EQ(got.memory.size(), 1u);
  EXPECT_EQ(got.memory[0].guest_phys_addr, 0x2000u);
  EXPECT_EQ(got.memory[0].data, "ok");
  EXPECT_EQ(remote.stats().answered, bad.size() + 1);
}

}  // namespace
}  // namespace hypercall::providers
