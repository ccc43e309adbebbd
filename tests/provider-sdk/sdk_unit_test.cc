// The C++ SDK's parts without a daemon: the back-off, the worker pool, the
// example provider's answers, and a runner with nobody to talk to.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "absl/synchronization/notification.h"
#include "backoff.h"
#include "counter_provider.h"
#include "gtest/gtest.h"
#include "hypercall/provider/runner.h"
#include "work_queue.h"

namespace hypercall::provider {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesUpToTheCeilingAndStartsOver) {
  Backoff backoff(milliseconds(100), milliseconds(500));
  EXPECT_EQ(backoff.Next(), milliseconds(100));
  EXPECT_EQ(backoff.Next(), milliseconds(200));
  EXPECT_EQ(backoff.Next(), milliseconds(400));
  EXPECT_EQ(backoff.Next(), milliseconds(500));
  EXPECT_EQ(backoff.Next(), milliseconds(500));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds(100));
  EXPECT_EQ(backoff.Max(), milliseconds(500));
  EXPECT_EQ(backoff.Next(), milliseconds(500));
}

TEST(WorkQueueTest, RunsTasksConcurrentlyAndEveryQueuedOneBeforeItGoes) {
  std::atomic<int> ran{0};
  {
    WorkQueue queue(2);
    absl::Notification both_started;
    std::atomic<int> started{0};
    // Two tasks that wait for each other finish only if they run at once.
    for (int i = 0; i < 2; ++i) {
      queue.Push([&] {
        if (++started == 2) both_started.Notify();
        EXPECT_TRUE(both_started.WaitForNotificationWithTimeout(absl::Seconds(5)));
        ++ran;
      });
    }
    for (int i = 0; i < 10; ++i) queue.Push([&] { ++ran; });
  }
  EXPECT_EQ(ran, 12);
}

smccc::Call MakeCall(uint32_t fid, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0) {
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = x1;
  call.x[2] = x2;
  call.x[3] = x3;
  call.args_read_mask = example::kCounterReads;
  return call;
}

TEST(CounterProviderTest, ClaimsItsRangeReadingX1ToX3) {
  example::CounterProvider provider("example");
  EXPECT_EQ(provider.name(), "example");
  ASSERT_EQ(provider.Claims().size(), 1u);
  EXPECT_EQ(provider.Claims()[0].range.first, 0xC3000100u);
  EXPECT_EQ(provider.Claims()[0].range.last, 0xC300010Fu);
  EXPECT_EQ(provider.Claims()[0].args_read_mask, 0xEu);
}

TEST(CounterProviderTest, EchoesAddsSleepsAndSaysWho) {
  example::CounterProvider provider("example");
  CallContext context{.vm = "vm", .vcpu = 3, .deadline = {}};
  smccc::Result echo = provider.Answer(context, MakeCall(example::kEcho, 1, 2, 3));
  EXPECT_EQ(echo.x[0], 0u);
  EXPECT_EQ(echo.written_mask, 0xFu);
  EXPECT_EQ(echo.x[3], 3u);
  EXPECT_EQ(provider.Answer(context, MakeCall(example::kAdd, 5)).x[1], 5u);
  // The SVE hint does not change the function.
  EXPECT_EQ(provider.Answer(context, MakeCall(example::kAdd | smccc::kSveHintBit, 6)).x[1], 11u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(provider.Answer(context, MakeCall(example::kSleep, 20)).x[1], 20u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(20));
  smccc::Result who = provider.Answer(context, MakeCall(example::kWho));
  EXPECT_EQ(who.x[1], 3u);
  EXPECT_EQ(who.x[2], static_cast<uint64_t>(getpid()));
  EXPECT_EQ(who.x[3], 11u);
  EXPECT_EQ(provider.Answer(context, MakeCall(example::kCounterLast)).x[0], ~uint64_t{0});
}

TEST(RunnerTest, WithoutADaemonItRetriesQuietlyAndStopsWhenAsked) {
  example::CounterProvider provider("example");
  std::mutex mu;
  std::vector<std::string> lines;
  RunnerOptions options;
  options.runtime_dir = "/nonexistent/hypercalld";
  options.initial_backoff = milliseconds(10);
  options.max_backoff = milliseconds(40);
  options.log = [&](LogSeverity, const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  };
  Runner runner(provider, options);
  std::thread run([&] { runner.Run(); });
  std::this_thread::sleep_for(milliseconds(300));
  runner.Stop();
  run.join();
  EXPECT_EQ(runner.state(), RunnerState::kStopped);
  // Many attempts, one line: the problem did not change.
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("cannot reach hypercalld at unix:/nonexistent/hypercalld/provider.sock"),
            std::string::npos)
      << lines[0];
}

}  // namespace
}  // namespace hypercall::provider
