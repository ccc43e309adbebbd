#include "base/call_timer.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::base {
namespace {

using Clock = CallTimer::Clock;
using std::chrono::milliseconds;

TEST(CallTimerTest, FiresInDeadlineOrderNotScheduleOrder) {
  CallTimer timer;
  absl::Mutex mu;
  std::vector<int> fired;
  absl::Notification done;
  const Clock::time_point now = Clock::now();
  timer.Schedule(now + milliseconds(60), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(3);
    done.Notify();
  });
  timer.Schedule(now + milliseconds(20), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(1);
  });
  timer.Schedule(now + milliseconds(40), [&] {
    absl::MutexLock lock(&mu);
    fired.push_back(2);
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(fired, ::testing::ElementsAre(1, 2, 3));
}

TEST(CallTimerTest, NeverFiresEarly) {
  CallTimer timer;
  absl::Notification done;
  Clock::time_point fired_at;
  const Clock::time_point when = Clock::now() + milliseconds(30);
  timer.Schedule(when, [&] {
    fired_at = Clock::now();
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_GE(fired_at, when);
}

TEST(CallTimerTest, ACancelledCallbackNeverRuns) {
  CallTimer timer;
  std::atomic<bool> ran{false};
  const CallTimer::Id id = timer.Schedule(Clock::now() + milliseconds(20), [&] { ran = true; });
  EXPECT_TRUE(timer.Cancel(id));
  EXPECT_FALSE(timer.Cancel(id));
  absl::Notification later;
  timer.Schedule(Clock::now() + milliseconds(40), [&] { later.Notify(); });
  ASSERT_TRUE(later.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(ran);
}

TEST(CallTimerTest, AnEarlierDeadlineScheduledLaterStillFiresFirst) {
  CallTimer timer;
  absl::Notification early;
  std::atomic<bool> late_ran{false};
  timer.Schedule(Clock::now() + std::chrono::seconds(30), [&] { late_ran = true; });
  const Clock::time_point start = Clock::now();
  timer.Schedule(Clock::now() + milliseconds(10), [&] { early.Notify(); });
  ASSERT_TRUE(early.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(late_ran);
}

TEST(CallTimerTest, CallbacksMayScheduleAndCancel) {
  CallTimer timer;
  absl::Notification second;
  timer.Schedule(Clock::now(), [&] {
    const CallTimer::Id doomed = timer.Schedule(Clock::now() + milliseconds(5), [] { FAIL(); });
    timer.Cancel(doomed);
    timer.Schedule(Clock::now(), [&] { second.Notify(); });
  });
  EXPECT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

TEST(CallTimerTest, DestroyingDropsPendingCallbacks) {
  std::atomic<bool> ran{false};
  {
    CallTimer timer;
    timer.Schedule(Clock::now() + std::chrono::seconds(10), [&] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace hypercall::base
