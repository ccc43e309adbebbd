// The C++ SDK's parts without a daemon: the back-off, the worker pool, the
// example provider's answers, a runner with nobody to talk to, and a runner
// against a stand-in for the daemon's provider socket (claims with memory
// operands, a call with guest memory and its result).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "backoff.h"
#include "counter_provider.h"
#include "gtest/gtest.h"
#include "hypercall/provider/runner.h"
#include "hypercall/v1/provider.grpc.pb.h"
#include "smccc/memory_operand.h"
#include "wire/protocol.h"
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

smccc::MemoryOperand Operand(int address_register, smccc::MemoryDirection direction) {
  smccc::MemoryOperand operand;
  operand.address_register = address_register;
  operand.length = 64;
  operand.direction = direction;
  return operand;
}

TEST(CounterProviderTest, ClaimsThreeRangesWithUppersOperandsInTheMiddle) {
  example::CounterProvider provider("example");
  EXPECT_EQ(provider.name(), "example");
  const std::vector<RangeClaim> claims = provider.Claims();
  ASSERT_EQ(claims.size(), 3u);
  EXPECT_EQ(claims[0].range.first, 0xC3000100u);
  EXPECT_EQ(claims[0].range.last, 0xC3000103u);
  EXPECT_EQ(claims[0].args_read_mask, 0xEu);
  EXPECT_TRUE(claims[0].memory.empty());
  EXPECT_EQ(claims[1].range.first, 0xC3000104u);
  EXPECT_EQ(claims[1].range.last, 0xC3000104u);
  EXPECT_EQ(claims[1].args_read_mask, 0x6u);
  EXPECT_EQ(claims[1].memory,
            (std::vector<smccc::MemoryOperand>{Operand(1, smccc::MemoryDirection::kIn),
                                               Operand(2, smccc::MemoryDirection::kOut)}));
  EXPECT_EQ(claims[2].range.first, 0xC3000105u);
  EXPECT_EQ(claims[2].range.last, 0xC300010Fu);
  EXPECT_EQ(claims[2].args_read_mask, 0xEu);
  EXPECT_TRUE(claims[2].memory.empty());
  for (const RangeClaim& claim : claims) {
    EXPECT_TRUE(smccc::CheckMemoryOperands(claim.memory, claim.args_read_mask).ok());
  }
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

smccc::MemoryBuffer Buffer(int operand, uint64_t address, smccc::MemoryDirection direction,
                           std::string data) {
  smccc::MemoryBuffer buffer;
  buffer.operand = operand;
  buffer.guest_phys_addr = address;
  buffer.length = 64;
  buffer.direction = direction;
  buffer.data = std::move(data);
  return buffer;
}

// 64 bytes, 47 of them lower-case ASCII letters (21 + 26).
constexpr char kUpperInput[] = "Guest memory, copied by the VMM: abcdefghijklmnopqrstuvwxyz 0123";
constexpr char kUpperOutput[] = "GUEST MEMORY, COPIED BY THE VMM: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123";
constexpr uint64_t kUpperChanged = 47;
static_assert(sizeof(kUpperInput) == 64 + 1 && sizeof(kUpperOutput) == 64 + 1);

smccc::Call UpperCall() {
  smccc::Call call = MakeCall(example::kUpper, 0x40001000, 0x40002000);
  call.args_read_mask = example::kUpperReads;
  call.memory = {Buffer(0, 0x40001000, smccc::MemoryDirection::kIn, kUpperInput),
                 Buffer(1, 0x40002000, smccc::MemoryDirection::kOut, "")};
  return call;
}

TEST(CounterProviderTest, UpperWritesTheInputUpperCasedToTheOutBuffer) {
  example::CounterProvider provider("example");
  CallContext context{.vm = "vm", .vcpu = 0, .deadline = {}};
  const smccc::Call call = UpperCall();
  smccc::Result result = provider.Answer(context, call);
  EXPECT_EQ(result.x[0], 0u);
  EXPECT_EQ(result.x[1], kUpperChanged);
  EXPECT_EQ(result.written_mask, 0x3u);
  ASSERT_EQ(result.memory.size(), 1u);
  EXPECT_EQ(result.memory[0].operand, 1);
  EXPECT_EQ(result.memory[0].data, kUpperOutput);
  // What the daemon and the shim check before anything reaches the guest.
  EXPECT_TRUE(smccc::CheckResultMemory(call, result).ok());

  smccc::Call without_memory = call;
  without_memory.memory.clear();
  smccc::Result refused = provider.Answer(context, without_memory);
  EXPECT_EQ(refused.x[0], static_cast<uint64_t>(smccc::kInvalidParameter));
  EXPECT_TRUE(refused.memory.empty());
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

// Stands in for hypercalld's provider socket in a temporary directory:
// greets, grants the claims (but refuses the one at index `refuse`), and once
// `claims_before_call` are granted forwards `call` and keeps the provider's
// results.
class FakeDaemon final : public v1::ProviderService::Service {
 public:
  FakeDaemon(int claims_before_call, v1::ForwardedCall call, int refuse = -1)
      : claims_before_call_(claims_before_call), call_(std::move(call)), refuse_(refuse) {
    char dir[] = "/tmp/hypercall-sdk-unit-XXXXXX";
    dir_ = mkdtemp(dir);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + dir_ + "/provider.sock", grpc::InsecureServerCredentials());
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeDaemon() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    std::filesystem::remove_all(dir_);
  }

  const std::string& runtime_dir() const { return dir_; }

  grpc::Status Serve(
      grpc::ServerContext* /*context*/,
      grpc::ServerReaderWriter<v1::DaemonMessage, v1::ProviderMessage>* stream) override {
    v1::ProviderMessage message;
    if (!stream->Read(&message) || !message.has_hello()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no hello");
    }
    v1::DaemonMessage hello;
    *hello.mutable_hello() = wire::MakeHelloReply(message.hello().hello());
    stream->Write(hello);
    int granted = 0;
    while (stream->Read(&message)) {
      absl::MutexLock lock(&mu_);
      if (message.has_result()) {
        results_.push_back(message.result());
        continue;
      }
      if (!message.has_claim()) continue;
      v1::DaemonMessage reply;
      *reply.mutable_claim_reply()->mutable_claim() = message.claim();
      const bool grant = static_cast<int>(claims_.size()) != refuse_;
      claims_.push_back(message.claim());
      reply.mutable_claim_reply()->set_granted(grant);
      if (!grant) reply.mutable_claim_reply()->set_reason("the config lists other operands");
      stream->Write(reply);
      if (grant && ++granted == claims_before_call_) {
        v1::DaemonMessage forward;
        *forward.mutable_call() = call_;
        stream->Write(forward);
      }
    }
    return grpc::Status::OK;
  }

  std::vector<v1::Claim> claims() const {
    absl::MutexLock lock(&mu_);
    return claims_;
  }

  // The first result, waiting up to 10 s for it.
  std::optional<v1::Result> AwaitResult() const {
    absl::MutexLock lock(&mu_);
    auto arrived = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !results_.empty(); };
    if (!mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10))) return std::nullopt;
    return results_.front();
  }

 private:
  const int claims_before_call_;
  const v1::ForwardedCall call_;
  const int refuse_;
  std::string dir_;
  std::unique_ptr<grpc::Server> server_;
  mutable absl::Mutex mu_;
  std::vector<v1::Claim> claims_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Result> results_ ABSL_GUARDED_BY(mu_);
};

// The example provider run by a Runner on its own thread, its log kept.
class RunningExample {
 public:
  explicit RunningExample(const std::string& runtime_dir) : provider_("example") {
    RunnerOptions options;
    options.runtime_dir = runtime_dir;
    // One connection per test: a refused claim is not retried meanwhile.
    options.initial_backoff = milliseconds(10000);
    options.max_backoff = milliseconds(10000);
    options.log = [this](LogSeverity, const std::string& line) {
      absl::MutexLock lock(&mu_);
      log_.push_back(line);
    };
    runner_ = std::make_unique<Runner>(provider_, options);
    thread_ = std::thread([this] { runner_->Run(); });
  }
  ~RunningExample() {
    runner_->Stop();
    thread_.join();
  }

  // Waits up to 10 s for the runner to be in `state`.
  bool AwaitState(RunnerState state) const {
    for (int i = 0; i < 1000 && runner_->state() != state; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    return runner_->state() == state;
  }

  // The first log line containing `text`, waiting up to 10 s for it.
  std::optional<std::string> AwaitLog(const std::string& text) const {
    absl::MutexLock lock(&mu_);
    std::optional<std::string> found;
    auto logged = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& line : log_) {
        if (absl::StrContains(line, text)) found = line;
      }
      return found.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&logged), absl::Seconds(10));
    return found;
  }

 private:
  example::CounterProvider provider_;
  std::unique_ptr<Runner> runner_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
};

v1::MemoryOperand WireOperand(uint32_t address_register, v1::MemoryOperand::Direction direction) {
  v1::MemoryOperand operand;
  operand.set_address_register(address_register);
  operand.set_length(64);
  operand.set_direction(direction);
  return operand;
}

v1::ForwardedCall ForwardedUpperCall() {
  v1::ForwardedCall forwarded;
  forwarded.set_deadline_nanos(10'000'000'000);
  v1::Call& call = *forwarded.mutable_call();
  call.set_call_id(7);
  call.set_function_id(example::kUpper);
  call.set_conduit(v1::CONDUIT_HVC);
  call.add_args(0x40001000);
  call.add_args(0x40002000);
  call.set_args_read_mask(example::kUpperReads);
  call.set_vm("vm-a");
  v1::MemoryBytes* in = call.add_memory();
  in->set_operand(0);
  in->set_guest_phys_addr(0x40001000);
  in->set_length(64);
  in->set_direction(v1::MemoryOperand::IN);
  in->set_data(kUpperInput);
  v1::MemoryBytes* out = call.add_memory();
  out->set_operand(1);
  out->set_guest_phys_addr(0x40002000);
  out->set_length(64);
  out->set_direction(v1::MemoryOperand::OUT);
  return forwarded;
}

TEST(RunnerTest, ClaimsWithMemoryOperandsAndAnswersACallWithGuestMemory) {
  FakeDaemon daemon(/*claims_before_call=*/3, ForwardedUpperCall());
  RunningExample example(daemon.runtime_dir());
  std::optional<v1::Result> result = daemon.AwaitResult();
  ASSERT_TRUE(result.has_value());

  const std::vector<v1::Claim> claims = daemon.claims();
  ASSERT_EQ(claims.size(), 3u);
  EXPECT_EQ(claims[0].first_function_id(), 0xC3000100u);
  EXPECT_EQ(claims[0].count(), 4u);
  EXPECT_EQ(claims[0].memory_size(), 0);
  EXPECT_EQ(claims[1].first_function_id(), 0xC3000104u);
  EXPECT_EQ(claims[1].count(), 1u);
  EXPECT_EQ(claims[1].args_read_mask(), 0x6u);
  ASSERT_EQ(claims[1].memory_size(), 2);
  EXPECT_EQ(claims[1].memory(0).SerializeAsString(),
            WireOperand(1, v1::MemoryOperand::IN).SerializeAsString());
  EXPECT_EQ(claims[1].memory(1).SerializeAsString(),
            WireOperand(2, v1::MemoryOperand::OUT).SerializeAsString());
  EXPECT_EQ(claims[2].first_function_id(), 0xC3000105u);
  EXPECT_EQ(claims[2].count(), 11u);
  EXPECT_EQ(claims[2].memory_size(), 0);

  EXPECT_EQ(result->call_id(), 7u);
  ASSERT_GE(result->regs_size(), 2);
  EXPECT_EQ(result->regs(0), 0u);
  EXPECT_EQ(result->regs(1), kUpperChanged);
  EXPECT_EQ(result->written_mask(), 0x3u);
  ASSERT_EQ(result->memory_size(), 1);
  EXPECT_EQ(result->memory(0).operand(), 1u);
  EXPECT_EQ(result->memory(0).data(), kUpperOutput);
}

TEST(RunnerTest, ARefusedClaimIsLoggedWithItsOperandsAndTheRestAreNotAskedFor) {
  FakeDaemon daemon(/*claims_before_call=*/3, ForwardedUpperCall(), /*refuse=*/1);
  RunningExample example(daemon.runtime_dir());
  std::optional<std::string> line = example.AwaitLog("refused the claim");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line,
            "hypercalld refused the claim 0xc3000104-0xc3000104 (reads 0x6, memory: x1 -> 64 "
            "bytes in; x2 -> 64 bytes out) of provider \"example\": the config lists other "
            "operands (retrying)");
  // All or nothing: once the connection is given up, the third range was
  // not asked for.
  ASSERT_TRUE(example.AwaitState(RunnerState::kBackingOff));
  EXPECT_EQ(daemon.claims().size(), 2u);
}

}  // namespace
}  // namespace hypercall::provider
