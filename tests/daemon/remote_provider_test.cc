// The broker's side of an out-of-process provider, with the process played
// by a fake link: claims and their refusals, calls answered, late, twice, or
// never, and the process going away mid-call.
#include "providers/remote/remote_provider.h"

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr uint32_t kFirst = 0xC3000000;
constexpr uint64_t kNotSupported = ~uint64_t{0};

// Records what the daemon sends the "process".
class FakeLink : public ProviderLink {
 public:
  bool SendCall(uint64_t call_id, const CallContext&, const smccc::Call& call,
                std::chrono::nanoseconds) override {
    absl::MutexLock lock(&mu_);
    if (refuse_) return false;
    sent_.push_back({call_id, call.function_id});
    return true;
  }
  // Waits for the next call sent; returns its id.
  uint64_t NextCallId() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::deque<Sent>* sent) { return !sent->empty(); }, &sent_));
    const uint64_t id = sent_.front().call_id;
    sent_.pop_front();
    return id;
  }
  void Refuse() {
    absl::MutexLock lock(&mu_);
    refuse_ = true;
  }

 private:
  struct Sent {
    uint64_t call_id;
    uint32_t function_id;
  };
  absl::Mutex mu_;
  std::deque<Sent> sent_ ABSL_GUARDED_BY(mu_);
  bool refuse_ ABSL_GUARDED_BY(mu_) = false;
};

// One vCPU's wait for its answer.
class Answer : public Completion {
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

class RemoteProviderTest : public ::testing::Test {
 protected:
  RemoteProviderTest() : provider_(Options(), timer_) {}

  static RemoteProviderOptions Options() {
    RemoteProviderOptions options;
    options.name = "oem";
    options.allowed = {{{kFirst, kFirst + 0xFF}, 0x6}, {{0x83000000, 0x830000FF}, 0x3fffe}};
    options.call_deadline = milliseconds(200);
    options.max_in_flight = 4;
    return options;
  }

  void Call(uint32_t function_id, Answer& answer) {
    provider_.Handle({.vm = "vm", .vcpu = 0}, CallTo(function_id), answer);
  }

  core::CallTimer timer_;
  RemoteProvider provider_;
  FakeLink link_;
};

TEST_F(RemoteProviderTest, AnUnclaimedRangeIsNotSupportedAtOnce) {
  Answer answer;
  Call(kFirst, answer);
  ASSERT_TRUE(answer.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().unclaimed, 1u);
}

TEST_F(RemoteProviderTest, AClaimedCallIsForwardedAndAnswered) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0x2}).ok());
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
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  absl::Status outside = provider_.Claim(connection, {{kFirst + 0xF0, kFirst + 0x100}, 0});
  EXPECT_EQ(outside.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(outside.message(),
              HasSubstr("range 0xc30000f0-0xc3000100 is not one provider \"oem\" may claim; the "
                        "config allows 0xc3000000-0xc30000ff, 0x83000000-0x830000ff"));
  absl::Status reads = provider_.Claim(connection, {{kFirst, kFirst}, 0x3e});
  EXPECT_EQ(reads.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(reads.message(), HasSubstr("would read x3-x5, but VMs are planned to read only "
                                         "x1-x2 there"));
  EXPECT_EQ(provider_.Claim(connection, {{kFirst + 2, kFirst + 1}, 0}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RemoteProviderTest, TwoProcessesRacingForOneRangeOneWinsAndTheOtherIsToldWho) {
  FakeLink other_link;
  auto first = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  auto second = provider_.Connect(other_link, {.pid = 8, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(first, {{kFirst, kFirst + 0xF}, 0}).ok());
  absl::Status lost = provider_.Claim(second, {{kFirst + 8, kFirst + 0x18}, 0});
  EXPECT_EQ(lost.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(lost.message(),
              HasSubstr("overlaps 0xc3000000-0xc300000f, which pid 7 uid 990 gid 990 "
                        "serves for provider \"oem\""));
  // A disjoint part is the second one's to take.
  EXPECT_TRUE(provider_.Claim(second, {{kFirst + 0x10, kFirst + 0x18}, 0}).ok());
  // Once the first is gone, its range is free.
  provider_.Disconnect(first);
  EXPECT_TRUE(provider_.Claim(second, {{kFirst, kFirst + 0xF}, 0}).ok());
  EXPECT_EQ(provider_.Claim(first, {{0x83000000, 0x83000000}, 0}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RemoteProviderTest, ASlowProcessIsCutOffAtTheDeadlineAndItsLateAnswerDropped) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0}).ok());
  Answer answer;
  const auto start = std::chrono::steady_clock::now();
  Call(kFirst, answer);
  const uint64_t id = link_.NextCallId();
  ASSERT_TRUE(answer.Arrived());
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(200));
  EXPECT_LT(waited, milliseconds(1500));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().timed_out, 1u);
  EXPECT_FALSE(provider_.Answer(connection, id, smccc::Result::Code(0)));
  EXPECT_EQ(provider_.stats().stray_results, 1u);
}

TEST_F(RemoteProviderTest, SecondAndUnaskedAnswersAreDropped) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0}).ok());
  Answer answer;
  Call(kFirst, answer);
  const uint64_t id = link_.NextCallId();
  EXPECT_TRUE(provider_.Answer(connection, id, smccc::Result::Code(5)));
  EXPECT_FALSE(provider_.Answer(connection, id, smccc::Result::Code(6)));
  EXPECT_FALSE(provider_.Answer(connection, id + 100, smccc::Result::Code(7)));
  ASSERT_TRUE(answer.Arrived());
  EXPECT_EQ(answer.result().x[0], 5u);
  EXPECT_EQ(provider_.stats().stray_results, 2u);
}

TEST_F(RemoteProviderTest, AProcessThatDiesMidCallLeavesNoVcpuWaiting) {
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0}).ok());
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
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst + 0xF}, 0}).ok());
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
  auto connection = provider_.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider_.Claim(connection, {{kFirst, kFirst}, 0}).ok());
  link_.Refuse();
  Answer answer;
  Call(kFirst, answer);
  ASSERT_TRUE(answer.Arrived(absl::ZeroDuration()));
  EXPECT_EQ(answer.result().x[0], kNotSupported);
  EXPECT_EQ(provider_.stats().send_failed, 1u);
}

TEST_F(RemoteProviderTest, ManyVcpusAtOnceEachGetTheirOwnAnswerOnce) {
  RemoteProviderOptions options = Options();
  options.max_in_flight = 1024;
  options.call_deadline = std::chrono::seconds(10);
  RemoteProvider provider(options, timer_);
  auto connection = provider.Connect(link_, {.pid = 7, .uid = 990, .gid = 990});
  ASSERT_TRUE(provider.Claim(connection, {{kFirst, kFirst + 0xFF}, 0}).ok());
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

}  // namespace
}  // namespace hypercall::providers
