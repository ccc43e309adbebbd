// The vCPU stream adapter with a provider the test holds mid-call: the
// races a real daemon only shows by chance (a second call while one is in
// flight, the session or the client going away mid-call), made
// deterministic. Real gRPC over a Unix socket, in-process server.
#include "service/vcpu_stream.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "absl/synchronization/notification.h"
#include "daemon/vmm_client.h"
#include "service/vmm_service.h"

namespace hypercall::service {
namespace {

using testing::AttachedVm;
using ::testing::HasSubstr;
using testing::Reg;
using testing::TestVm;
using testing::VcpuClient;

// Owns 0xc2000000-0xc20000ff and answers x0 = x1 + 1, but only when the
// test releases the call it holds.
class HeldProvider final : public provider::Provider {
 public:
  std::string_view name() const override { return "held"; }
  std::vector<provider::RangeClaim> Claims() const override {
    return {{{0xc2000000, 0xc20000ff}, 0x2, {}}};
  }
  void Handle(const provider::CallContext&, const smccc::Call& call,
              provider::Completion& done) override {
    absl::MutexLock lock(&mu_);
    held_ = &done;
    x1_ = call.x[1];
  }

  // Waits for a call to arrive.
  void AwaitHeld() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&IsSet, &held_));
  }

  // Waits for a call to arrive and answers it.
  void ReleaseWhenHeld() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&IsSet, &held_));
    provider::Completion* done = std::exchange(held_, nullptr);
    done->Complete(smccc::Result::Code(static_cast<int64_t>(x1_ + 1)));
  }

 private:
  static bool IsSet(provider::Completion** held) { return *held != nullptr; }

  absl::Mutex mu_;
  provider::Completion* held_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t x1_ ABSL_GUARDED_BY(mu_) = 0;
};

class VcpuStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto provider = std::make_unique<HeldProvider>();
    provider_ = provider.get();
    ASSERT_TRUE(broker_.AddProvider(std::move(provider), "builtin").ok());
    char tmpl[] = "/tmp/hypercalld-stream-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + dir_ + "/vmm.sock", grpc::InsecureServerCredentials());
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::VmmService::NewStub(testing::Connect("unix:" + dir_ + "/vmm.sock"));
  }

  void TearDown() override {
    broker_.Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    std::filesystem::remove_all(dir_);
  }

  // Waits (bounded) until the broker has `n` vCPU streams.
  void AwaitVcpuStreams(uint32_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (broker_.Stats().vcpu_streams != n) {
      ASSERT_LT(absl::Now(), deadline);
      absl::SleepFor(absl::Milliseconds(1));
    }
  }

  v1::VcpuRequest Call(uint64_t id, uint64_t x1) {
    v1::VcpuRequest request;
    request.mutable_call()->set_call_id(id);
    request.mutable_call()->set_function_id(0xc2000001);
    request.mutable_call()->set_conduit(v1::CONDUIT_SMC);
    request.mutable_call()->add_args(x1);
    return request;
  }

  core::Broker broker_;
  HeldProvider* provider_ = nullptr;
  PeerDirectory peers_;
  base::CallTimer timer_;
  VmmService service_{
      broker_, peers_, /*max_streams=*/4, {.timer = timer_, .limit = absl::Seconds(30)}};
  std::string dir_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::VmmService::Stub> stub_;
};

TEST_F(VcpuStreamTest, AnswersAHeldCallWhenTheProviderCompletes) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  std::thread provider([this] { provider_->ReleaseWhenHeld(); });
  auto result = (*vcpu)->Call(0xc2000001, {41});
  provider.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Reg(*result, 0), 42u);
}

TEST_F(VcpuStreamTest, SecondCallBeforeTheResultEndsTheStream) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Send(Call(1, 10)));
  ASSERT_TRUE((*vcpu)->Send(Call(2, 20)));  // Call 1 is still held.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (broker_.Stats().protocol_errors == 0) {
    ASSERT_LT(absl::Now(), deadline);
    absl::SleepFor(absl::Milliseconds(1));
  }
  // The stream ends once the held call is answered; that answer still comes.
  provider_->ReleaseWhenHeld();
  v1::VcpuReply reply;
  ASSERT_TRUE((*vcpu)->Read(reply));
  EXPECT_EQ(reply.result().call_id(), 1u);
  EXPECT_EQ(Reg(reply.result(), 0), 11u);
  grpc::Status status = (*vcpu)->AwaitEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("call 2 arrived before the result"));
  // The session and its other vCPUs go on.
  auto other = VcpuClient::Open(*stub_, (*vm)->session_id(), 1);
  ASSERT_TRUE(other.ok());
  std::thread provider([this] { provider_->ReleaseWhenHeld(); });
  EXPECT_TRUE((*other)->Call(0xc2000001, {1}).ok());
  provider.join();
}

TEST_F(VcpuStreamTest, SessionEndingMidCallStillAnswersTheCall) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Send(Call(1, 5)));
  provider_->AwaitHeld();
  (*vm)->Detach();
  // Still open: its call is in flight.
  EXPECT_EQ(broker_.Stats().vcpu_streams, 1u);
  provider_->ReleaseWhenHeld();
  v1::VcpuReply reply;
  ASSERT_TRUE((*vcpu)->Read(reply));
  EXPECT_EQ(Reg(reply.result(), 0), 6u);
  EXPECT_EQ((*vcpu)->AwaitEnd().error_code(), grpc::StatusCode::ABORTED);
  AwaitVcpuStreams(0);
}

TEST_F(VcpuStreamTest, ClientVanishingMidCallLeaksNothing) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  std::weak_ptr<core::Session> session = *broker_.FindSession((*vm)->session_id());
  {
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
    ASSERT_TRUE(vcpu.ok());
    ASSERT_TRUE((*vcpu)->Send(Call(1, 5)));
    provider_->AwaitHeld();
    (*vcpu)->Cancel();
  }
  (*vm)->Detach();
  // The answer comes after both streams are gone from the client's side.
  provider_->ReleaseWhenHeld();
  AwaitVcpuStreams(0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!session.expired()) {  // Every stream let go of the session.
    ASSERT_LT(absl::Now(), deadline);
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(broker_.Stats().sessions, 0u);
  EXPECT_TRUE(service_.AwaitNoStreams(absl::Now() + absl::Seconds(10)));
}

TEST_F(VcpuStreamTest, AClientThatGaveUpMidCallFreesItsVcpuAtOnce) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  auto abandoned = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(abandoned.ok());
  ASSERT_TRUE((*abandoned)->Send(Call(1, 5)));
  provider_->AwaitHeld();
  (*abandoned)->Cancel();

  // The provider still holds the abandoned call; vCPU 0 opens again anyway
  // (once the daemon has seen the cancel), not refused as already open.
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  absl::StatusOr<std::unique_ptr<VcpuClient>> again;
  do {
    again = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  } while (!again.ok() && again.status().code() == absl::StatusCode::kAlreadyExists &&
           absl::Now() < deadline);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(broker_.Stats().vcpu_streams, 1u);

  // The abandoned call's late answer goes nowhere; the new stream's call is
  // answered.
  provider_->ReleaseWhenHeld();
  std::thread provider([this] { provider_->ReleaseWhenHeld(); });
  auto result = (*again)->Call(0xc2000001, {41});
  provider.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Reg(*result, 0), 42u);
}

TEST_F(VcpuStreamTest, StreamsBeyondTheLimitAreRefused) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 8));
  ASSERT_TRUE(vm.ok());
  std::vector<std::unique_ptr<VcpuClient>> open;
  for (uint32_t i = 0; i < 3; ++i) {
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), i);
    ASSERT_TRUE(vcpu.ok()) << vcpu.status();
    open.push_back(std::move(*vcpu));
  }
  auto fifth = VcpuClient::Open(*stub_, (*vm)->session_id(), 3);
  EXPECT_EQ(fifth.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(fifth.status().message(), HasSubstr("limit 4"));
  EXPECT_EQ(AttachedVm::Attach(*stub_, TestVm("vm-b")).status().code(),
            absl::StatusCode::kResourceExhausted);
  // A stream that ends makes room.
  EXPECT_TRUE(open.back()->Finish().ok());
  open.pop_back();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  absl::StatusOr<std::unique_ptr<VcpuClient>> again;
  do {
    ASSERT_LT(absl::Now(), deadline);
    again = VcpuClient::Open(*stub_, (*vm)->session_id(), 3);
  } while (again.status().code() == absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(VcpuStreamTest, ShutdownWaitsForTheCallInFlight) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Send(Call(1, 7)));
  provider_->AwaitHeld();
  broker_.Shutdown();
  EXPECT_FALSE(service_.AwaitNoStreams(absl::Now() + absl::Milliseconds(50)));
  provider_->ReleaseWhenHeld();
  v1::VcpuReply reply;
  ASSERT_TRUE((*vcpu)->Read(reply));
  EXPECT_EQ(Reg(reply.result(), 0), 8u);
  EXPECT_EQ((*vcpu)->AwaitEnd().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(service_.AwaitNoStreams(absl::Now() + absl::Seconds(10)));
}

}  // namespace
}  // namespace hypercall::service
