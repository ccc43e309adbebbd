#include "core/trace_hub.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/bounded_queue.h"

namespace hypercall::core {
namespace {

TraceRecord RecordFor(const std::string& vm, uint64_t call_id) {
  TraceRecord record;
  record.vm = std::make_shared<const std::string>(vm);
  record.call_id = call_id;
  return record;
}

TEST(BoundedQueueTest, KeepsOrderAcrossWrapAndGrowth) {
  BoundedQueue<int> queue(4);
  ASSERT_NE(queue.Push(1), nullptr);
  ASSERT_NE(queue.Push(2), nullptr);
  EXPECT_EQ(queue.Pop(), 1);
  ASSERT_NE(queue.Push(3), nullptr);  // Grows while head is not at the front.
  ASSERT_NE(queue.Push(4), nullptr);
  ASSERT_NE(queue.Push(5), nullptr);
  EXPECT_TRUE(queue.full());
  EXPECT_EQ(queue.Push(6), nullptr);
  for (int expected : {2, 3, 4, 5}) EXPECT_EQ(queue.Pop(), expected);
  EXPECT_FALSE(queue.Pop().has_value());
  ASSERT_NE(queue.Push(7), nullptr);  // Wraps in full-size storage.
  EXPECT_EQ(queue.Pop(), 7);
}

TEST(TraceHubTest, DeliversInOrderToEveryWatcher) {
  TraceHub hub(4, 16);
  auto a = hub.Watch("");
  auto b = hub.Watch("");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(hub.HasWatchers());
  for (uint64_t id = 1; id <= 3; ++id) hub.Publish(RecordFor("vm", id));
  for (auto* watcher : {&*a, &*b}) {
    for (uint64_t id = 1; id <= 3; ++id) {
      auto record = (*watcher)->Next(absl::ZeroDuration());
      ASSERT_TRUE(record.has_value());
      EXPECT_EQ(record->call_id, id);
      EXPECT_EQ(record->dropped_before, 0u);
    }
  }
}

TEST(TraceHubTest, FullQueueDropsCountsAndReportsTheGap) {
  TraceHub hub(4, 3);
  auto watcher = hub.Watch("");
  ASSERT_TRUE(watcher.ok());
  // A watcher that never reads: publishing still returns every time.
  for (uint64_t id = 1; id <= 10; ++id) hub.Publish(RecordFor("vm", id));
  EXPECT_EQ(hub.dropped(), 7u);
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ((*watcher)->Next(absl::ZeroDuration())->call_id, id);
  }
  hub.Publish(RecordFor("vm", 11));
  auto after_gap = (*watcher)->Next(absl::ZeroDuration());
  ASSERT_TRUE(after_gap.has_value());
  EXPECT_EQ(after_gap->call_id, 11u);
  EXPECT_EQ(after_gap->dropped_before, 7u);
  hub.Publish(RecordFor("vm", 12));
  EXPECT_EQ((*watcher)->Next(absl::ZeroDuration())->dropped_before, 0u);
}

TEST(TraceHubTest, ASlowWatcherDoesNotStarveAFastOne) {
  TraceHub hub(4, 2);
  auto slow = hub.Watch("");
  auto fast = hub.Watch("");
  for (uint64_t id = 1; id <= 5; ++id) {
    hub.Publish(RecordFor("vm", id));
    EXPECT_EQ((*fast)->Next(absl::ZeroDuration())->call_id, id);
  }
  EXPECT_EQ(hub.dropped(), 3u);
}

TEST(TraceHubTest, FiltersByVmName) {
  TraceHub hub(4, 16);
  auto watcher = hub.Watch("vm-b");
  hub.Publish(RecordFor("vm-a", 1));
  hub.Publish(RecordFor("vm-b", 2));
  EXPECT_EQ((*watcher)->Next(absl::ZeroDuration())->call_id, 2u);
  EXPECT_FALSE((*watcher)->Next(absl::ZeroDuration()).has_value());
}

TEST(TraceHubTest, LimitsWatchersAndFreesSlotsOnUnwatch) {
  TraceHub hub(2, 16);
  auto a = hub.Watch("");
  auto b = hub.Watch("");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(hub.Watch("").status().code(), absl::StatusCode::kResourceExhausted);
  hub.Unwatch(*a);
  EXPECT_EQ(hub.watchers(), 1u);
  EXPECT_TRUE(hub.Watch("").ok());
}

TEST(TraceHubTest, CloseWakesAWaitingWatcherAndRefusesNewOnes) {
  TraceHub hub(2, 16);
  auto watcher = hub.Watch("");
  ASSERT_TRUE(watcher.ok());
  std::thread closer([&] { hub.Close(); });
  // Returns because of Close, long before the timeout.
  const absl::Time start = absl::Now();
  while (!(*watcher)->closed()) (*watcher)->Next(absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  closer.join();
  EXPECT_EQ(hub.Watch("").status().code(), absl::StatusCode::kUnavailable);
}

TEST(TraceHubTest, NextWaitsForAPublish) {
  TraceHub hub(2, 16);
  auto watcher = hub.Watch("");
  std::thread publisher([&] { hub.Publish(RecordFor("vm", 5)); });
  auto record = (*watcher)->Next(absl::Seconds(30));
  publisher.join();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->call_id, 5u);
}

}  // namespace
}  // namespace hypercall::core
