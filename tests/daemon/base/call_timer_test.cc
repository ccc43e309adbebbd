// The call timer on a FakeClock: deadlines fire when the clock reaches them,
// in deadline order, never before, and not at all once cancelled.
#include "base/call_timer.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/fake_clock.h"

namespace hypercall::base {
namespace {

using testing::FakeClock;

class CallTimerTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  CallTimer timer_{clock_};
};

TEST_F(CallTimerTest, FiresInDeadlineOrderNotScheduleOrder) {
  absl::Mutex mu;
  std::vector<int> fired;
  absl::Notification done;
  const absl::Time now = clock_.Now();
  timer_.Schedule(now + absl::Milliseconds(60), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(3);
    done.Notify();
  });
  timer_.Schedule(now + absl::Milliseconds(20), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(1);
  });
  timer_.Schedule(now + absl::Milliseconds(40), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(2);
  });
  clock_.Advance(absl::Milliseconds(60));
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(fired, ::testing::ElementsAre(1, 2, 3));
}

TEST_F(CallTimerTest, NeverFiresEarly) {
  absl::Notification done;
  std::atomic<bool> fired_early{false};
  const absl::Time when = clock_.Now() + absl::Milliseconds(30);
  timer_.Schedule(when, [&] {
    if (clock_.Now() < when) fired_early = true;
    done.Notify();
  });
  clock_.Advance(absl::Milliseconds(29));
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(20)));
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(fired_early);
}

TEST_F(CallTimerTest, ScheduleAfterCountsFromTheClocksNow) {
  absl::Notification done;
  clock_.Advance(absl::Hours(1));
  timer_.ScheduleAfter(absl::Milliseconds(10), [&] { done.Notify(); });
  clock_.Advance(absl::Milliseconds(9));
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(20)));
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

TEST_F(CallTimerTest, ACancelledCallbackNeverRuns) {
  std::atomic<bool> ran{false};
  const CallTimer::Id id = timer_.ScheduleAfter(absl::Milliseconds(20), [&] { ran = true; });
  EXPECT_TRUE(timer_.Cancel(id));
  EXPECT_FALSE(timer_.Cancel(id));
  absl::Notification later;
  timer_.ScheduleAfter(absl::Milliseconds(40), [&] { later.Notify(); });
  clock_.Advance(absl::Milliseconds(40));
  ASSERT_TRUE(later.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(ran);
}

TEST_F(CallTimerTest, AnEarlierDeadlineScheduledLaterStillFiresFirst) {
  absl::Notification early;
  std::atomic<bool> late_ran{false};
  timer_.ScheduleAfter(absl::Seconds(30), [&] { late_ran = true; });
  timer_.ScheduleAfter(absl::Milliseconds(10), [&] { early.Notify(); });
  clock_.Advance(absl::Milliseconds(10));
  ASSERT_TRUE(early.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(late_ran);
}

TEST_F(CallTimerTest, CallbacksMayScheduleAndCancel) {
  absl::Notification second;
  timer_.Schedule(clock_.Now(), [&] {
    const CallTimer::Id doomed = timer_.ScheduleAfter(absl::Milliseconds(5), [] { FAIL(); });
    timer_.Cancel(doomed);
    timer_.Schedule(clock_.Now(), [&] { second.Notify(); });
  });
  EXPECT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

TEST(CallTimerRealClockTest, FiresOnTheMachinesClock) {
  CallTimer timer;
  absl::Notification done;
  const absl::Time when = absl::Now() + absl::Milliseconds(5);
  absl::Time fired_at;
  timer.Schedule(when, [&] {
    fired_at = absl::Now();
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_GE(fired_at, when);
}

TEST(CallTimerRealClockTest, DestroyingDropsPendingCallbacks) {
  std::atomic<bool> ran{false};
  {
    CallTimer timer;
    timer.ScheduleAfter(absl::Seconds(10), [&] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace hypercall::base
