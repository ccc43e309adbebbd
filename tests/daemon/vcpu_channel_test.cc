// The vCPU call path through the broker core, with providers that record
// what they see: routing, w-register semantics, counters and trace records.
#include "core/vcpu_channel.h"

#include <gtest/gtest.h>

#include <thread>

#include "smccc/return_codes.h"

namespace hypercall::core {
namespace {

// Records the call it gets and answers with a fixed result, inline or (when
// `defer`) later from a thread the test starts.
class RecordingProvider final : public providers::Provider {
 public:
  RecordingProvider(std::vector<providers::RangeClaim> claims, smccc::Result answer)
      : claims_(std::move(claims)), answer_(answer) {}

  std::string_view name() const override { return "recorder"; }
  std::vector<providers::RangeClaim> Claims() const override { return claims_; }
  void Handle(const providers::CallContext& context, const smccc::Call& call,
              providers::Completion& done) override {
    seen_call = call;
    seen_vm = std::string(context.vm);
    seen_vcpu = context.vcpu;
    if (defer) {
      pending = &done;
    } else {
      done.Complete(answer_);
    }
  }
  void CompletePending() { pending->Complete(answer_); }

  bool defer = false;
  providers::Completion* pending = nullptr;
  smccc::Call seen_call;
  std::string seen_vm;
  uint32_t seen_vcpu = 0;

 private:
  std::vector<providers::RangeClaim> claims_;
  smccc::Result answer_;
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

class VcpuChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto provider = std::make_unique<RecordingProvider>(
        std::vector<providers::RangeClaim>{{{0x82000000, 0x820000ff}, smccc::kAllArgRegisters},
                                           {{0xc2000000, 0xc20000ff}, smccc::kAllArgRegisters}},
        FullResult());
    provider_ = provider.get();
    ASSERT_TRUE(broker_.AddProvider(std::move(provider), "builtin").ok());
    VmDescription vm{.name = "vm-1", .uuid = "", .vcpu_count = 2, .ram = {}};
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

  Broker broker_;
  RecordingProvider* provider_ = nullptr;
  std::shared_ptr<Session> session_;
  CapturingSink sink_;
  std::unique_ptr<VcpuChannel> channel_;
};

TEST_F(VcpuChannelTest, Smc64CallsPassAllRegistersThrough) {
  channel_->Submit(7, CallWithArgs(0xc2000001));
  ASSERT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last_call_id, 7u);
  EXPECT_EQ(provider_->seen_call.x[17], 0xffffffff00000011ull);
  EXPECT_EQ(provider_->seen_vm, "vm-1");
  EXPECT_EQ(provider_->seen_vcpu, 1u);
  EXPECT_EQ(sink_.last.written_mask, smccc::kAllResultRegisters);
  EXPECT_EQ(sink_.last.x[17], 0xa5a5a5a500000012ull);
}

TEST_F(VcpuChannelTest, Smc32CallsSeeWRegisters) {
  channel_->Submit(1, CallWithArgs(0x82000001));
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
  channel_->Submit(1, CallWithArgs(0xc6000040));
  ASSERT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last.x[0], static_cast<uint64_t>(smccc::kNotSupported));
  EXPECT_EQ(sink_.last.written_mask, 0x1u);
  // 32-bit calls get the 32-bit -1.
  channel_->Submit(2, CallWithArgs(0x86000000));
  EXPECT_EQ(sink_.last.x[0], 0xffffffffu);
  EXPECT_EQ(broker_.Stats().calls_unowned, 2u);
}

TEST_F(VcpuChannelTest, SveHintedCallsReachTheirOwner) {
  channel_->Submit(1, CallWithArgs(0xc2000001 | smccc::kSveHintBit));
  EXPECT_EQ(provider_->seen_call.function_id, 0xc2010001u);  // As issued.
  EXPECT_EQ(sink_.last.x[0], 0xa5a5a5a500000001ull);
}

TEST_F(VcpuChannelTest, CountsPerBrokerSessionAndProvider) {
  channel_->Submit(1, CallWithArgs(0xc2000001));
  channel_->Submit(2, CallWithArgs(0x82000001));
  channel_->Submit(3, CallWithArgs(0x84000000));
  BrokerStats stats = broker_.Stats();
  EXPECT_EQ(stats.calls_total, 3u);
  EXPECT_EQ(stats.calls_unowned, 1u);
  EXPECT_EQ(session_->calls(), 3u);
  EXPECT_EQ(broker_.Providers().at(0)->calls.load(), 2u);
}

TEST_F(VcpuChannelTest, PublishesTraceRecordsOnlyToWatchers) {
  channel_->Submit(1, CallWithArgs(0xc2000001));  // Nobody watches: no record.
  auto watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());
  channel_->Submit(42, CallWithArgs(0x82000003));
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

TEST_F(VcpuChannelTest, CompletionMayComeFromAnotherThread) {
  provider_->defer = true;
  channel_->Submit(9, CallWithArgs(0xc2000001));
  EXPECT_EQ(sink_.count, 0);
  std::thread provider_thread([this] { provider_->CompletePending(); });
  provider_thread.join();
  EXPECT_EQ(sink_.count, 1);
  EXPECT_EQ(sink_.last_call_id, 9u);
}

}  // namespace
}  // namespace hypercall::core
