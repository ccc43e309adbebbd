// The observer role end to end against the real hypercalld: status,
// listings and the live trace, over the observer socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "daemon/vmm_client.h"
#include "daemon_status.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"
#include "support/config_file.h"
#include "support/daemon_process.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

template <typename Request>
Request WithHello(uint32_t version = 1) {
  Request request;
  *request.mutable_hello() = wire::MakeHello("observer-test/1");
  request.mutable_hello()->set_protocol_version(version);
  return request;
}

class ObserverServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test's own uid sees registers in traces (nobody does by default).
    auto daemon = DaemonProcess::Start({"--log-level", "debug", "--config", config_.path()});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    vmm_ = v1::VmmService::NewStub(Connect(daemon_->vmm_target()));
    observer_ = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
  }

  v1::StatusReply Status() { return DaemonStatus(*observer_); }

  void AwaitStatus(const std::function<bool(const v1::StatusReply&)>& done) {
    AwaitDaemonStatus(*observer_, done);
  }

  const ConfigFile config_{"version: 1\n" + GrantRegisters(getuid())};
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::VmmService::Stub> vmm_;
  std::unique_ptr<v1::ObserverService::Stub> observer_;
};

TEST_F(ObserverServiceTest, StatusCountsSessionsStreamsAndCalls) {
  v1::StatusReply idle = Status();
  EXPECT_EQ(idle.hello().protocol_version(), 1u);
  EXPECT_EQ(idle.pid(), static_cast<uint32_t>(daemon_->pid()));
  EXPECT_EQ(idle.runtime_dir(), daemon_->runtime_dir());
  EXPECT_EQ(idle.sessions(), 0u);
  EXPECT_EQ(idle.calls_total(), 0u);

  auto vm = AttachedVm::Attach(*vmm_, TestVm("vm-a", 2));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*vmm_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kTrngVersion).ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kTrngRnd64, {64}).ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kPsciVersion).ok());  // Unowned.

  v1::StatusReply busy = Status();
  EXPECT_EQ(busy.sessions(), 1u);
  EXPECT_EQ(busy.vcpu_streams(), 1u);
  EXPECT_EQ(busy.calls_total(), 3u);
  EXPECT_EQ(busy.calls_unowned(), 1u);
}

TEST_F(ObserverServiceTest, ListsRangesSessionsAndProviders) {
  auto vm = AttachedVm::Attach(*vmm_, TestVm("vm-a", 3));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*vmm_, (*vm)->session_id(), 2);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kTrngGetUuid).ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kKvmFeatures).ok());  // Unowned: no provider count.

  {
    grpc::ClientContext context;
    v1::ListRangesReply reply;
    ASSERT_TRUE(observer_->ListRanges(&context, WithHello<v1::ListRangesRequest>(), &reply).ok());
    ASSERT_EQ(reply.ranges_size(), 2);
    EXPECT_EQ(reply.ranges(0).first_function_id(), 0x84000050u);
    EXPECT_EQ(reply.ranges(0).count(), 16u);
    EXPECT_EQ(reply.ranges(0).provider(), "trng");
    EXPECT_EQ(reply.ranges(0).args_read_mask(), 0x2u);
    EXPECT_EQ(reply.ranges(1).first_function_id(), 0xc4000050u);
  }
  {
    grpc::ClientContext context;
    v1::ListSessionsReply reply;
    ASSERT_TRUE(
        observer_->ListSessions(&context, WithHello<v1::ListSessionsRequest>(), &reply).ok());
    ASSERT_EQ(reply.sessions_size(), 1);
    const v1::SessionInfo& session = reply.sessions(0);
    EXPECT_EQ(session.session_id(), (*vm)->session_id());
    EXPECT_EQ(session.vm_name(), "vm-a");
    EXPECT_EQ(session.vm_uuid(), std::string(16, '\x42'));
    EXPECT_EQ(session.vcpu_count(), 3u);
    EXPECT_EQ(session.vcpus_connected(), 1u);
    EXPECT_EQ(session.calls(), 2u);
    EXPECT_EQ(session.software(), "daemon-test/1");
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    EXPECT_NEAR(session.attached_unix_seconds(), now, 60);
  }
  {
    grpc::ClientContext context;
    v1::ListProvidersReply reply;
    ASSERT_TRUE(
        observer_->ListProviders(&context, WithHello<v1::ListProvidersRequest>(), &reply).ok());
    ASSERT_EQ(reply.providers_size(), 1);
    EXPECT_EQ(reply.providers(0).name(), "trng");
    EXPECT_EQ(reply.providers(0).kind(), "builtin");
    EXPECT_EQ(reply.providers(0).calls(), 1u);
    EXPECT_EQ(reply.providers(0).ranges_size(), 2);
  }
}

TEST_F(ObserverServiceTest, EveryRequestChecksTheHandshake) {
  grpc::ClientContext c1, c2, c3, c4, c5;
  v1::StatusReply status_reply;
  v1::ListRangesReply ranges_reply;
  v1::ListSessionsReply sessions_reply;
  v1::ListProvidersReply providers_reply;
  std::vector<grpc::Status> statuses = {
      observer_->GetStatus(&c1, WithHello<v1::StatusRequest>(7), &status_reply),
      observer_->ListRanges(&c2, WithHello<v1::ListRangesRequest>(0), &ranges_reply),
      observer_->ListSessions(&c3, v1::ListSessionsRequest(), &sessions_reply),
      observer_->ListProviders(&c4, WithHello<v1::ListProvidersRequest>(2), &providers_reply),
  };
  auto trace = observer_->Trace(&c5, WithHello<v1::TraceRequest>(3));
  v1::TraceEvent event;
  EXPECT_FALSE(trace->Read(&event));
  statuses.push_back(trace->Finish());
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(), HasSubstr("version 1"));
  }
}

TEST_F(ObserverServiceTest, TraceDeliversEachCallWithItsFields) {
  grpc::ClientContext trace_context;
  auto trace = observer_->Trace(&trace_context, WithHello<v1::TraceRequest>());
  AwaitStatus([](const v1::StatusReply& s) { return s.trace_watchers() == 1; });

  auto vm = AttachedVm::Attach(*vmm_, TestVm("vm-a", 2));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*vmm_, (*vm)->session_id(), 1);
  ASSERT_TRUE(vcpu.ok());
  const int64_t before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto rnd = (*vcpu)->Call(smccc::kTrngRnd64, {128});
  ASSERT_TRUE(rnd.ok());
  auto unowned = (*vcpu)->Call(smccc::kPsciVersion, {0xffffffff00000001ull});
  ASSERT_TRUE(unowned.ok());

  v1::TraceEvent event;
  ASSERT_TRUE(trace->Read(&event));
  EXPECT_GE(event.unix_nanos(), before);
  EXPECT_EQ(event.call().vm(), "vm-a");
  EXPECT_EQ(event.call().vcpu(), 1u);
  EXPECT_EQ(event.call().call_id(), 1u);
  EXPECT_EQ(event.call().function_id(), smccc::kTrngRnd64);
  EXPECT_EQ(event.call().conduit(), v1::CONDUIT_HVC);
  ASSERT_GE(event.call().args_size(), 1);
  EXPECT_EQ(event.call().args(0), 128u);
  EXPECT_EQ(event.result().call_id(), 1u);
  EXPECT_EQ(event.result().regs(0), 0u);
  // The random bits are secret, even to a watcher granted registers.
  EXPECT_FALSE(event.registers_withheld());
  EXPECT_TRUE(event.results_secret());
  EXPECT_EQ(event.result().regs_size(), 1);
  EXPECT_NE(Reg(*rnd, 3), 0u);
  EXPECT_EQ(event.result().written_mask(), 0xfu);
  EXPECT_EQ(event.provider(), "trng");
  EXPECT_GT(event.latency_nanos(), 0u);
  EXPECT_EQ(event.dropped_before(), 0u);

  ASSERT_TRUE(trace->Read(&event));
  EXPECT_EQ(event.call().function_id(), smccc::kPsciVersion);
  EXPECT_EQ(event.call().args(0), 1u);  // SMC32: the upper half is not the callee's.
  EXPECT_EQ(event.result().regs(0), 0xffffffffu);
  EXPECT_FALSE(event.results_secret());
  EXPECT_EQ(event.provider(), "");

  trace_context.TryCancel();
  trace->Finish();
  AwaitStatus([](const v1::StatusReply& s) { return s.trace_watchers() == 0; });
}

TEST_F(ObserverServiceTest, TraceFiltersByVm) {
  grpc::ClientContext trace_context;
  v1::TraceRequest request = WithHello<v1::TraceRequest>();
  request.set_vm("vm-b");
  auto trace = observer_->Trace(&trace_context, request);
  AwaitStatus([](const v1::StatusReply& s) { return s.trace_watchers() == 1; });

  auto a = AttachedVm::Attach(*vmm_, TestVm("vm-a", 1));
  auto b = AttachedVm::Attach(*vmm_, TestVm("vm-b", 1));
  ASSERT_TRUE(a.ok() && b.ok());
  auto a0 = VcpuClient::Open(*vmm_, (*a)->session_id(), 0);
  auto b0 = VcpuClient::Open(*vmm_, (*b)->session_id(), 0);
  ASSERT_TRUE(a0.ok() && b0.ok());
  ASSERT_TRUE((*a0)->Call(smccc::kTrngVersion).ok());
  ASSERT_TRUE((*b0)->Call(smccc::kTrngGetUuid).ok());

  v1::TraceEvent event;
  ASSERT_TRUE(trace->Read(&event));
  EXPECT_EQ(event.call().vm(), "vm-b");
  EXPECT_EQ(event.call().function_id(), smccc::kTrngGetUuid);
  trace_context.TryCancel();
  trace->Finish();
}

TEST_F(ObserverServiceTest, TraceKeepsCallOrderAndAccountsForEveryCall) {
  grpc::ClientContext trace_context;
  auto trace = observer_->Trace(&trace_context, WithHello<v1::TraceRequest>());
  AwaitStatus([](const v1::StatusReply& s) { return s.trace_watchers() == 1; });
  auto vm = AttachedVm::Attach(*vmm_, TestVm("vm-a", 1));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*vmm_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  // The watcher reads nothing during a burst; the vCPU is never held up.
  constexpr uint64_t kBurst = 5000;
  for (uint64_t i = 0; i < kBurst; ++i) ASSERT_TRUE((*vcpu)->Call(smccc::kTrngVersion).ok());

  // Then it reads, while the vCPU keeps calling, until it has caught up.
  std::atomic<bool> caught_up{false};
  uint64_t last_id = 0;
  uint64_t delivered = 0;
  uint64_t reported_drops = 0;
  uint64_t unexplained_gaps = 0;
  std::thread reader([&] {
    v1::TraceEvent event;
    while (trace->Read(&event)) {
      const uint64_t id = event.call().call_id();
      // Call ids are consecutive: any gap must be exactly what was reported.
      if (id != last_id + 1 + event.dropped_before()) ++unexplained_gaps;
      reported_drops += event.dropped_before();
      ++delivered;
      last_id = id;
      if (id > kBurst) break;
    }
    caught_up = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!caught_up && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*vcpu)->Call(smccc::kTrngVersion).ok());
  }
  reader.join();
  ASSERT_TRUE(caught_up);
  EXPECT_EQ(unexplained_gaps, 0u);
  EXPECT_EQ(delivered + reported_drops, last_id);
  EXPECT_EQ(Status().trace_events_dropped(), reported_drops);
  trace_context.TryCancel();
  trace->Finish();
}

TEST_F(ObserverServiceTest, TraceEndsWhenTheDaemonStops) {
  grpc::ClientContext trace_context;
  auto trace = observer_->Trace(&trace_context, WithHello<v1::TraceRequest>());
  AwaitStatus([](const v1::StatusReply& s) { return s.trace_watchers() == 1; });
  auto exit_status = daemon_->Stop();
  ASSERT_TRUE(exit_status.ok());
  EXPECT_EQ(*exit_status, 0);
  v1::TraceEvent event;
  EXPECT_FALSE(trace->Read(&event));
  EXPECT_TRUE(trace->Finish().ok());
}

}  // namespace
}  // namespace hypercall::testing
