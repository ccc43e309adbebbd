// The vCPU call path through the broker core, with providers that record
// what they see: routing, w-register semantics, counters and trace records.
#include "core/vcpu_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "smccc/return_codes.h"

namespace hypercall::core {
namespace {

// Records the call it gets and answers with a fixed result, inline or (when
// `defer`) later from a thread the test starts.
class RecordingProvider final : public provider::Provider {
 public:
  RecordingProvider(std::vector<provider::RangeClaim> claims, smccc::Result answer)
      : answer(std::move(answer)), claims_(std::move(claims)) {}

  std::string_view name() const override { return "recorder"; }
  std::vector<provider::RangeClaim> Claims() const override { return claims_; }
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override {
    ++calls;
    seen_call = call;
    seen_vm = std::string(context.vm);
    seen_vcpu = context.vcpu;
    seen_deadline = context.deadline;
    if (defer) {
      pending = &done;
    } else {
      done.Complete(answer);
    }
  }
  void CompletePending() { pending->Complete(answer); }

  smccc::Result answer;
  bool defer = false;
  provider::Completion* pending = nullptr;
  int calls = 0;
  smccc::Call seen_call;
  std::string seen_vm;
  uint32_t seen_vcpu = 0;
  std::chrono::steady_clock::time_point seen_deadline;

 private:
  std::vector<provider::RangeClaim> claims_;
};

class CapturingSink final : public ResultSink {
 public:
  void OnResult(uint64_t call_id, const smccc::Result& result) override {
    ++count;
    last_call_id = call_id;
    last = result;
  }
  int count = 0;
  uint64_t last_call_id = 0;
  smccc::Result last;
};

smccc::Result FullResult() {
  smccc::Result r;
  for (int i = 0; i < smccc::kNumRegisters; ++i) r.Set(i, 0xa5a5a5a500000000ull | (i + 1));
  return r;
}

// [0] x1 -> 8 bytes in; [1] x2 -> 4 bytes out, only when bit 0 of x3 is
// clear; [2] x9 -> 2 bytes inout (never for SMC32: no w9).
std::vector<smccc::MemoryOperand> MemoryOperands() {
  smccc::MemoryOperand conditional = smccc::MemoryOperand::At(2, 4, smccc::MemoryDirection::kOut);
  conditional.when_register = 3;
  conditional.when_mask = 1;
  return {smccc::MemoryOperand::At(1, 8, smccc::MemoryDirection::kIn), conditional,
          smccc::MemoryOperand::At(9, 2, smccc::MemoryDirection::kInOut)};
}

smccc::MemoryBuffer Buffer(int operand, uint64_t address, uint32_t length,
                           smccc::MemoryDirection direction, std::string data) {
  return {.operand = operand,
          .guest_phys_addr = address,
          .length = length,
          .direction = direction,
          .data = std::move(data)};
}

class VcpuChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto provider = std::make_unique<RecordingProvider>(
        std::vector<provider::RangeClaim>{
            {{0x82000000, 0x820000ff}, smccc::kAllArgRegisters, {}},
            {{0xc2000000, 0xc20000ff}, smccc::kAllArgRegisters, {}},
            {{0x83000000, 0x830000ff}, smccc::kAllArgRegisters, MemoryOperands()},
            {{0xc3000000, 0xc30000ff}, smccc::kAllArgRegisters, MemoryOperands()},
            {{0xc3000100, 0xc30001ff}, smccc::kAllArgRegisters, {}, /*secret_results=*/true}},
        FullResult());
    provider_ = provider.get();
    ASSERT_TRUE(broker_.AddProvider(std::move(provider), "builtin").ok());
    VmDescription vm{.name = "vm-1", .uuid = "", .vcpu_count = 2, .ram = {}, .stolen_time = {}};
    auto session = broker_.Attach(vm, "test/1", nullptr);
    ASSERT_TRUE(session.ok()) << session.status();
    session_ = *session;
    channel_ = std::make_unique<VcpuChannel>(broker_, session_, 1, sink_);
  }

  smccc::Call CallWithArgs(uint32_t fid) {
    smccc::Call call;
    call.function_id = fid;
    for (int i = 1; i <= smccc::kMaxArgRegister; ++i) call.x[i] = 0xffffffff00000000ull | i;
    call.args_read_mask = smccc::kAllArgRegisters;
    return call;
  }

  Broker broker_{{.call_deadline = std::chrono::milliseconds(250)}};
  RecordingProvider* provider_ = nullptr;
  std::shared_ptr<Session> session_;
  CapturingSink sink_;
  std::unique_ptr<VcpuChannel> channel_;
};

TEST_F(VcpuChannelTest, Smc64CallsPassAllRegistersThrough) {
  ASSERT_TRUE(channel_->Submit(7, CallWithArgs(0xc2000001)).ok());
  ASSERT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last_call_id, 7u);
  EXPECT_EQ(provider_->seen_call.x[17], 0xffffffff00000011ull);
  EXPECT_EQ(provider_->seen_vm, "vm-1");
  EXPECT_EQ(provider_->seen_vcpu, 1u);
  EXPECT_EQ(sink_.last.written_mask, smccc::kAllResultRegisters);
  EXPECT_EQ(sink_.last.x[17], 0xa5a5a5a500000012ull);
}

TEST_F(VcpuChannelTest, TheContextCarriesTheBrokersCallDeadline) {
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(channel_->Submit(7, CallWithArgs(0xc2000001)).ok());
  const auto after = std::chrono::steady_clock::now();
  EXPECT_GE(provider_->seen_deadline, before + std::chrono::milliseconds(250));
  EXPECT_LE(provider_->seen_deadline, after + std::chrono::milliseconds(250));
}

TEST_F(VcpuChannelTest, Smc32CallsSeeWRegisters) {
  ASSERT_TRUE(channel_->Submit(1, CallWithArgs(0x82000001)).ok());
  ASSERT_EQ(sink_.count, 1);
  // Arguments: upper halves ignored, nothing past w7.
  EXPECT_EQ(provider_->seen_call.x[1], 1u);
  EXPECT_EQ(provider_->seen_call.x[7], 7u);
  EXPECT_EQ(provider_->seen_call.x[8], 0u);
  EXPECT_EQ(provider_->seen_call.args_read_mask, 0xfeu);
  // Results: 32 bits each, w0..w7 only.
  EXPECT_EQ(sink_.last.x[0], 1u);
  EXPECT_EQ(sink_.last.x[7], 8u);
  EXPECT_EQ(sink_.last.x[8], 0u);
  EXPECT_EQ(sink_.last.written_mask, 0xffu);
}

TEST_F(VcpuChannelTest, UnownedIdsAnswerNotSupported) {
  ASSERT_TRUE(channel_->Submit(1, CallWithArgs(0xc6000040)).ok());
  ASSERT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last.x[0], static_cast<uint64_t>(smccc::kNotSupported));
  EXPECT_EQ(sink_.last.written_mask, 0x1u);
  // 32-bit calls get the 32-bit -1.
  ASSERT_TRUE(channel_->Submit(2, CallWithArgs(0x86000000)).ok());
  EXPECT_EQ(sink_.last.x[0], 0xffffffffu);
  EXPECT_EQ(broker_.Stats().calls_unowned, 2u);
}

TEST_F(VcpuChannelTest, SveHintedCallsReachTheirOwner) {
  ASSERT_TRUE(channel_->Submit(1, CallWithArgs(0xc2000001 | smccc::kSveHintBit)).ok());
  EXPECT_EQ(provider_->seen_call.function_id, 0xc2010001u);  // As issued.
  EXPECT_EQ(sink_.last.x[0], 0xa5a5a5a500000001ull);
}

TEST_F(VcpuChannelTest, CountsPerBrokerSessionAndProvider) {
  ASSERT_TRUE(channel_->Submit(1, CallWithArgs(0xc2000001)).ok());
  ASSERT_TRUE(channel_->Submit(2, CallWithArgs(0x82000001)).ok());
  ASSERT_TRUE(channel_->Submit(3, CallWithArgs(0x84000000)).ok());
  BrokerStats stats = broker_.Stats();
  EXPECT_EQ(stats.calls_total, 3u);
  EXPECT_EQ(stats.calls_unowned, 1u);
  EXPECT_EQ(session_->calls(), 3u);
  EXPECT_EQ(broker_.Providers().at(0)->calls.load(), 2u);
}

TEST_F(VcpuChannelTest, PublishesTraceRecordsOnlyToWatchers) {
  ASSERT_TRUE(channel_->Submit(1, CallWithArgs(0xc2000001)).ok());  // Nobody watches: no record.
  auto watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(channel_->Submit(42, CallWithArgs(0x82000003)).ok());
  std::optional<TraceRecord> record = (*watcher)->Next(absl::ZeroDuration());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->call_id, 42u);
  EXPECT_EQ(record->call.function_id, 0x82000003u);
  EXPECT_EQ(record->call.x[1], 1u);  // With w-register semantics.
  EXPECT_EQ(record->result.x[0], 1u);
  ASSERT_NE(record->vm, nullptr);
  EXPECT_EQ(*record->vm, "vm-1");
  EXPECT_EQ(record->vcpu, 1u);
  ASSERT_NE(record->provider, nullptr);
  EXPECT_EQ(record->provider->name, "recorder");
  EXPECT_GT(record->unix_nanos, 0);
  EXPECT_FALSE((*watcher)->Next(absl::ZeroDuration()).has_value());
}

TEST_F(VcpuChannelTest, SecretResultsNeverReachATraceButReachTheGuest) {
  auto watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(channel_->Submit(7, CallWithArgs(0xc3000101)).ok());
  EXPECT_EQ(sink_.last.x, FullResult().x);
  std::optional<TraceRecord> record = (*watcher)->Next(absl::ZeroDuration());
  ASSERT_TRUE(record.has_value());
  EXPECT_TRUE(record->results_secret);
  EXPECT_FALSE(record->registers_withheld);
  EXPECT_EQ(record->result.x[0], FullResult().x[0]);
  for (int i = 1; i < smccc::kNumRegisters; ++i) EXPECT_EQ(record->result.x[i], 0u) << i;
  EXPECT_EQ(record->result.written_mask, smccc::kAllResultRegisters);
  EXPECT_EQ(record->call.x[1], CallWithArgs(0).x[1]);  // Arguments are not secret.
  // A range that is not secret keeps its results in the record.
  ASSERT_TRUE(channel_->Submit(8, CallWithArgs(0xc2000001)).ok());
  record = (*watcher)->Next(absl::ZeroDuration());
  ASSERT_TRUE(record.has_value());
  EXPECT_FALSE(record->results_secret);
  EXPECT_EQ(record->result.x, FullResult().x);
}

TEST_F(VcpuChannelTest, CompletionMayComeFromAnotherThread) {
  provider_->defer = true;
  ASSERT_TRUE(channel_->Submit(9, CallWithArgs(0xc2000001)).ok());
  EXPECT_EQ(sink_.count, 0);
  std::thread provider_thread([this] { provider_->CompletePending(); });
  provider_thread.join();
  EXPECT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last_call_id, 9u);
}

// A call to the memory range with x1 = 0x1000, x2 = 0x2000, x9 = 0x9000 and
// every buffer that applies (x3 = 0: the conditional one too).
smccc::Call MemoryCall(uint32_t fid = 0xc3000001) {
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = 0x1000;
  call.x[2] = 0x2000;
  call.x[9] = 0x9000;
  call.args_read_mask = smccc::kAllArgRegisters;
  call.memory = {Buffer(0, 0x1000, 8, smccc::MemoryDirection::kIn, "abcdefgh"),
                 Buffer(1, 0x2000, 4, smccc::MemoryDirection::kOut, ""),
                 Buffer(2, 0x9000, 2, smccc::MemoryDirection::kInOut, "xy")};
  return call;
}

TEST_F(VcpuChannelTest, MatchingMemoryReachesTheProviderAndItsWritesComeBackPlaced) {
  provider_->answer = smccc::Result();
  provider_->answer.memory = {{.operand = 1, .data = "wxyz"}, {.operand = 2, .data = "!"}};
  ASSERT_TRUE(channel_->Submit(5, MemoryCall()).ok());
  EXPECT_EQ(provider_->seen_call.memory, MemoryCall().memory);
  ASSERT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last.x[0], 0u);
  EXPECT_EQ(sink_.last.memory, (std::vector<smccc::MemoryBuffer>{
                                   Buffer(1, 0x2000, 4, smccc::MemoryDirection::kOut, "wxyz"),
                                   Buffer(2, 0x9000, 2, smccc::MemoryDirection::kInOut, "!")}));
}

TEST_F(VcpuChannelTest, AnOperandWhoseConditionFailsTakesNoBuffer) {
  smccc::Call call = MemoryCall();
  call.x[3] = 1;
  call.memory.erase(call.memory.begin() + 1);
  ASSERT_TRUE(channel_->Submit(1, call).ok());
  EXPECT_EQ(provider_->calls, 1);
  // ... and passing one anyway is refused.
  smccc::Call extra = MemoryCall();
  extra.x[3] = 1;
  absl::Status refused = channel_->Submit(2, extra);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("memory buffer 1 names operand 1, but the "
                                                      "next operand that applies is 2"));
}

TEST_F(VcpuChannelTest, Smc32CallsPassWRegisterAddressesAndNoOperandBeyondW7) {
  smccc::Call call = MemoryCall(0x83000001);
  call.x[1] = 0xffffffff00001000u;  // The upper half is not the guest's w1.
  call.memory.pop_back();           // x9: no such w register.
  ASSERT_TRUE(channel_->Submit(1, call).ok());
  EXPECT_EQ(provider_->calls, 1);
  EXPECT_EQ(provider_->seen_call.memory[0].guest_phys_addr, 0x1000u);
}

struct BadCallMemory {
  const char* what;
  std::function<void(smccc::Call&)> spoil;
  const char* message;
};

TEST_F(VcpuChannelTest, CallsWhoseMemoryDoesNotMatchTheirRangeAreRefusedSayingWhatToFix) {
  const BadCallMemory cases[] = {
      {"a buffer missing", [](smccc::Call& c) { c.memory.pop_back(); },
       "memory operand 2 (x9 -> 2 bytes inout) applies to this call but it passes no buffer"},
      {"out of order", [](smccc::Call& c) { std::swap(c.memory[0], c.memory[1]); },
       "memory buffer 0 names operand 1, but the next operand that applies is 0"},
      {"another address", [](smccc::Call& c) { c.memory[0].guest_phys_addr = 0x1001; },
       "memory buffer 0 (operand 0, x1 -> 8 bytes in) says guest_phys_addr 0x1001, but x1 is "
       "0x1000"},
      {"another length", [](smccc::Call& c) { c.memory[1].length = 5; },
       "memory buffer 1 (operand 1) says 5 bytes out, but the plan says x2 -> 4 bytes out"},
      {"another direction",
       [](smccc::Call& c) { c.memory[0].direction = smccc::MemoryDirection::kInOut; },
       "memory buffer 0 (operand 0) says 8 bytes inout, but the plan says x1 -> 8 bytes in"},
      {"in data short", [](smccc::Call& c) { c.memory[0].data = "abc"; },
       "carries 3 bytes of data; it must carry exactly its 8 bytes from guest RAM"},
      {"inout data long", [](smccc::Call& c) { c.memory[2].data = "xyz"; },
       "carries 3 bytes of data; it must carry exactly its 2 bytes from guest RAM"},
      {"out data", [](smccc::Call& c) { c.memory[1].data = "1234"; },
       "carries 4 bytes of data; it must carry none"},
      {"a buffer too many", [](smccc::Call& c) { c.memory.push_back(c.memory.back()); },
       "memory buffer 3 (operand 2) matches no memory operand that applies to this call"},
      {"memory for a range without operands", [](smccc::Call& c) { c.function_id = 0xc2000001; },
       "memory buffer 0 (operand 0) matches no memory operand that applies to this call (its "
       "range has: none)"},
      {"memory for an unowned ID", [](smccc::Call& c) { c.function_id = 0xc6000001; },
       "(its range has: none)"},
  };
  for (const BadCallMemory& bad : cases) {
    smccc::Call call = MemoryCall();
    bad.spoil(call);
    absl::Status status = channel_->Submit(1, call);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad.what;
    EXPECT_THAT(status.message(), ::testing::HasSubstr(bad.message)) << bad.what;
  }
  // Nothing was brokered, answered or counted.
  EXPECT_EQ(provider_->calls, 0);
  EXPECT_EQ(sink_.count, 0);
  EXPECT_EQ(broker_.Stats().calls_total, 0u);
}

struct BadResultMemory {
  const char* what;
  std::vector<smccc::MemoryBuffer> memory;
  const char* logged;
};

TEST_F(VcpuChannelTest, ResultsWhoseMemoryBreaksTheRulesAnswerNotSupportedAndAreCounted) {
  const BadResultMemory cases[] = {
      {"an in operand", {{.operand = 0, .data = "x"}}, "which is an 'in' operand"},
      {"an operand twice",
       {{.operand = 1, .data = "a"}, {.operand = 1, .data = "b"}},
       "writes memory operand 1 twice"},
      {"too many bytes", {{.operand = 1, .data = "12345"}}, "writes 5 bytes to memory operand 1"},
      {"an operand not passed", {{.operand = 3, .data = "x"}}, "which the call did not pass"},
  };
  auto watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());
  uint64_t call_id = 0;
  for (const BadResultMemory& bad : cases) {
    provider_->answer = FullResult();
    provider_->answer.memory = bad.memory;
    ASSERT_TRUE(channel_->Submit(++call_id, MemoryCall()).ok()) << bad.what;
    EXPECT_EQ(sink_.count, static_cast<int>(call_id)) << bad.what;
    EXPECT_EQ(sink_.last.x[0], static_cast<uint64_t>(smccc::kNotSupported)) << bad.what;
    EXPECT_EQ(sink_.last.written_mask, 0x1u) << bad.what;
    EXPECT_TRUE(sink_.last.memory.empty()) << bad.what;
    // The trace shows what the guest got.
    std::optional<TraceRecord> record = (*watcher)->Next(absl::ZeroDuration());
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->result.x[0], static_cast<uint64_t>(smccc::kNotSupported));
  }
  EXPECT_EQ(broker_.Providers().at(0)->bad_results.load(), std::size(cases));
}

TEST_F(VcpuChannelTest, TraceRecordsCarryBuffersWithoutTheirBytes) {
  auto watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());
  provider_->answer = smccc::Result();
  provider_->answer.memory = {{.operand = 1, .data = "ab"}};
  ASSERT_TRUE(channel_->Submit(3, MemoryCall()).ok());
  std::optional<TraceRecord> record = (*watcher)->Next(absl::ZeroDuration());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->call.memory, (std::vector<smccc::MemoryBuffer>{
                                     Buffer(0, 0x1000, 8, smccc::MemoryDirection::kIn, ""),
                                     Buffer(1, 0x2000, 4, smccc::MemoryDirection::kOut, ""),
                                     Buffer(2, 0x9000, 2, smccc::MemoryDirection::kInOut, "")}));
  // A result's length is the bytes it writes back.
  EXPECT_EQ(
      record->result.memory,
      (std::vector<smccc::MemoryBuffer>{Buffer(1, 0x2000, 2, smccc::MemoryDirection::kOut, "")}));
  // The guest still gets the bytes.
  ASSERT_EQ(sink_.last.memory.size(), 1u);
  EXPECT_EQ(sink_.last.memory[0].data, "ab");
}

}  // namespace
}  // namespace hypercall::core
