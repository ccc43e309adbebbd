// The VMM role end to end: the real hypercalld over its real Unix socket,
// driven with the generated gRPC stubs. Every refusal is checked for its
// code and for a message that says what to fix, and the daemon must keep
// serving everyone else afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "daemon/vmm_client.h"
#include "daemon_status.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"
#include "support/daemon_process.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

class VmmServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start({"--log-level", "debug"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    stub_ = v1::VmmService::NewStub(Connect(daemon_->vmm_target()));
    observer_ = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
  }

  // Attaches `name` and makes one TRNG call on vCPU 0: proof the daemon
  // still serves.
  void ExpectServes(const std::string& name) {
    auto vm = AttachedVm::Attach(*stub_, TestVm(name, 1));
    ASSERT_TRUE(vm.ok()) << vm.status();
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
    ASSERT_TRUE(vcpu.ok()) << vcpu.status();
    auto version = (*vcpu)->Call(smccc::kTrngVersion);
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_EQ(Reg(*version, 0), 0x10000u);
  }

  v1::StatusReply Status() { return DaemonStatus(*observer_); }

  // Waits (bounded) until the daemon's status satisfies `done`.
  void AwaitStatus(const std::function<bool(const v1::StatusReply&)>& done) {
    AwaitDaemonStatus(*observer_, done);
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::VmmService::Stub> stub_;
  std::unique_ptr<v1::ObserverService::Stub> observer_;
};

v1::VcpuRequest CallRequest(uint64_t call_id, uint32_t fid) {
  v1::VcpuRequest request;
  request.mutable_call()->set_call_id(call_id);
  request.mutable_call()->set_function_id(fid);
  request.mutable_call()->set_conduit(v1::CONDUIT_HVC);
  return request;
}

TEST_F(VmmServiceTest, AttachReturnsThePlanAndTrngAnswers) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok()) << vm.status();
  const v1::ForwardingPlan& plan = (*vm)->attached().plan();
  ASSERT_EQ(plan.ranges_size(), 2);
  EXPECT_EQ(plan.ranges(0).first_function_id(), 0x84000050u);
  EXPECT_EQ(plan.ranges(0).count(), 16u);
  EXPECT_EQ(plan.ranges(0).args_read_mask(), 0x2u);
  EXPECT_EQ(plan.ranges(0).provider(), "trng");
  EXPECT_EQ(plan.ranges(1).first_function_id(), 0xc4000050u);
  EXPECT_EQ(plan.ranges(1).count(), 16u);
  EXPECT_FALSE((*vm)->session_id().empty());
  EXPECT_EQ((*vm)->attached().hello().protocol_version(), 1u);
  EXPECT_THAT((*vm)->attached().hello().software(), HasSubstr("hypercalld/"));

  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 1);
  ASSERT_TRUE(vcpu.ok()) << vcpu.status();
  auto version = (*vcpu)->Call(smccc::kTrngVersion);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(Reg(*version, 0), 0x10000u);

  auto features = (*vcpu)->Call(smccc::kTrngFeatures, {smccc::kTrngRnd64});
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(Reg(*features, 0), 0u);

  auto rnd = (*vcpu)->Call(smccc::kTrngRnd64, {192});
  ASSERT_TRUE(rnd.ok()) << rnd.status();
  EXPECT_EQ(Reg(*rnd, 0), 0u);
  EXPECT_EQ(rnd->written_mask(), 0xfu);

  auto rnd32 = (*vcpu)->Call(smccc::kTrngRnd32, {8});
  ASSERT_TRUE(rnd32.ok());
  EXPECT_EQ(Reg(*rnd32, 0), 0u);
  EXPECT_LT(Reg(*rnd32, 3), 0x100u);
  EXPECT_EQ(Reg(*rnd32, 2), 0u);
  EXPECT_EQ(Reg(*rnd32, 1), 0u);

  auto bad_bits = (*vcpu)->Call(smccc::kTrngRnd64, {193});
  ASSERT_TRUE(bad_bits.ok());
  EXPECT_EQ(Reg(*bad_bits, 0), static_cast<uint64_t>(smccc::kTrngInvalidParameters));

  auto unowned = (*vcpu)->Call(smccc::kKvmDiscoverImplVer);
  ASSERT_TRUE(unowned.ok()) << unowned.status();
  EXPECT_EQ(Reg(*unowned, 0), static_cast<uint64_t>(smccc::kNotSupported));
  EXPECT_EQ(unowned->written_mask(), 0x1u);
  // SMC32 IDs answer with w-register semantics.
  auto unowned32 = (*vcpu)->Call(smccc::kKvmFeatures);
  ASSERT_TRUE(unowned32.ok()) << unowned32.status();
  EXPECT_EQ(Reg(*unowned32, 0), 0xffffffffu);
}

TEST_F(VmmServiceTest, TwoVmsCallConcurrently) {
  auto a = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
  auto b = AttachedVm::Attach(*stub_, TestVm("vm-b", 2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->session_id(), (*b)->session_id());
  constexpr int kCalls = 200;
  std::vector<std::thread> vcpus;
  std::atomic<int> good{0};
  for (const std::string& session : {(*a)->session_id(), (*b)->session_id()}) {
    for (uint32_t index : {0u, 1u}) {
      vcpus.emplace_back([&, session, index] {
        auto vcpu = VcpuClient::Open(*stub_, session, index);
        if (!vcpu.ok()) return;
        for (int i = 0; i < kCalls; ++i) {
          auto rnd = (*vcpu)->Call(smccc::kTrngRnd64, {64});
          if (rnd.ok() && Reg(*rnd, 0) == 0) ++good;
        }
      });
    }
  }
  for (auto& t : vcpus) t.join();
  EXPECT_EQ(good.load(), 4 * kCalls);
  EXPECT_EQ(Status().calls_total(), 4u * kCalls);
}

TEST_F(VmmServiceTest, WrongProtocolVersionIsFailedPrecondition) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"), /*protocol_version=*/99);
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(vm.status().message(), HasSubstr("99"));
  EXPECT_THAT(vm.status().message(), HasSubstr("version 1"));

  auto good = AttachedVm::Attach(*stub_, TestVm("vm-b"));
  ASSERT_TRUE(good.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*good)->session_id(), 0, /*protocol_version=*/2);
  EXPECT_EQ(vcpu.status().code(), absl::StatusCode::kFailedPrecondition);
  ExpectServes("vm-c");
}

TEST_F(VmmServiceTest, MissingHelloIsFailedPrecondition) {
  grpc::ClientContext context;
  auto stream = stub_->Session(&context);
  v1::SessionRequest request;
  *request.mutable_attach()->mutable_vm() = TestVm("vm-a");
  stream->Write(request);
  stream->WritesDone();
  v1::SessionEvent event;
  EXPECT_FALSE(stream->Read(&event));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("hello"));
}

TEST_F(VmmServiceTest, UnknownSessionIsNotFound) {
  auto vcpu = VcpuClient::Open(*stub_, "s-0000000000000000", 0);
  EXPECT_EQ(vcpu.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(vcpu.status().message(), HasSubstr("attach first"));
}

TEST_F(VmmServiceTest, SecondStreamForAVcpuIsAlreadyExists) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
  ASSERT_TRUE(vm.ok());
  auto first = VcpuClient::Open(*stub_, (*vm)->session_id(), 1);
  ASSERT_TRUE(first.ok());
  auto second = VcpuClient::Open(*stub_, (*vm)->session_id(), 1);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(second.status().message(), HasSubstr("vCPU 1"));
  auto out_of_range = VcpuClient::Open(*stub_, (*vm)->session_id(), 2);
  EXPECT_EQ(out_of_range.status().code(), absl::StatusCode::kInvalidArgument);
  // The first stream is untouched.
  EXPECT_TRUE((*first)->Call(smccc::kTrngVersion).ok());
  // Once closed, the vCPU can be opened again.
  EXPECT_TRUE((*first)->Finish().ok());
  AwaitStatus([](const v1::StatusReply& s) { return s.vcpu_streams() == 0; });
  EXPECT_TRUE(VcpuClient::Open(*stub_, (*vm)->session_id(), 1).ok());
}

TEST_F(VmmServiceTest, BadVmInfoIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(v1::VmInfo&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](v1::VmInfo& vm) { vm.set_name(""); }, "vm.name"},
      {[](v1::VmInfo& vm) { vm.set_name("bad name!"); }, "vm.name"},
      {[](v1::VmInfo& vm) { vm.set_uuid("123"); }, "vm.uuid"},
      {[](v1::VmInfo& vm) { vm.set_vcpu_count(0); }, "vm.vcpu_count"},
      {[](v1::VmInfo& vm) { vm.set_vcpu_count(100000); }, "vm.vcpu_count"},
      {[](v1::VmInfo& vm) { vm.mutable_ram(0)->set_size(0); }, "vm.ram[0].size"},
      {[](v1::VmInfo& vm) { *vm.add_ram() = vm.ram(0); }, "overlaps"},
  };
  for (const Case& c : cases) {
    v1::VmInfo vm = TestVm("vm-a");
    c.spoil(vm);
    auto attached = AttachedVm::Attach(*stub_, vm);
    EXPECT_EQ(attached.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(attached.status().message(), HasSubstr(c.field));
  }
  ExpectServes("vm-a");
}

TEST_F(VmmServiceTest, LiveVmNameIsAlreadyExistsUntilDetached) {
  auto first = AttachedVm::Attach(*stub_, TestVm("same"));
  ASSERT_TRUE(first.ok());
  auto second = AttachedVm::Attach(*stub_, TestVm("same"));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  // It names the VMM that holds the name, never the holder's session id.
  EXPECT_THAT(second.status().message(),
              HasSubstr("VM 'same' is already attached by the VMM pid "));
  EXPECT_THAT(second.status().message(), ::testing::Not(HasSubstr((*first)->session_id())));
  EXPECT_TRUE((*first)->Detach().ok());
  AwaitStatus([](const v1::StatusReply& s) { return s.sessions() == 0; });
  EXPECT_TRUE(AttachedVm::Attach(*stub_, TestVm("same")).ok());
}

TEST_F(VmmServiceTest, ProtocolMistakesEndOnlyThatStream) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 4));
  ASSERT_TRUE(vm.ok());
  auto bystander = VcpuClient::Open(*stub_, (*vm)->session_id(), 3);
  ASSERT_TRUE(bystander.ok());

  {  // A call before open.
    grpc::ClientContext context;
    auto stream = stub_->Vcpu(&context);
    stream->Write(CallRequest(1, smccc::kTrngVersion));
    v1::VcpuReply reply;
    EXPECT_FALSE(stream->Read(&reply));
    grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("first VcpuRequest must be open"));
  }
  {  // Too many argument registers.
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
    ASSERT_TRUE(vcpu.ok());
    v1::VcpuRequest request = CallRequest(1, smccc::kTrngVersion);
    for (int i = 0; i < 18; ++i) request.mutable_call()->add_args(i);
    ASSERT_TRUE((*vcpu)->Send(request));
    v1::VcpuReply reply;
    EXPECT_FALSE((*vcpu)->Read(reply));
    grpc::Status status = (*vcpu)->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("at most 17"));
  }
  {  // No conduit.
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 1);
    ASSERT_TRUE(vcpu.ok());
    v1::VcpuRequest request = CallRequest(1, smccc::kTrngVersion);
    request.mutable_call()->set_conduit(v1::CONDUIT_UNSPECIFIED);
    ASSERT_TRUE((*vcpu)->Send(request));
    grpc::Status status = (*vcpu)->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("conduit"));
  }
  {  // A second open.
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 2);
    ASSERT_TRUE(vcpu.ok());
    v1::VcpuRequest request;
    request.mutable_open()->set_session_id((*vm)->session_id());
    ASSERT_TRUE((*vcpu)->Send(request));
    grpc::Status status = (*vcpu)->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("already open"));
  }
  // The session and its other vCPU are untouched.
  auto version = (*bystander)->Call(smccc::kTrngVersion);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(Reg(*version, 0), 0x10000u);
}

TEST_F(VmmServiceTest, MalformedMessagesAreInvalidArgumentSayingSo) {
  const std::string junk("\xff\xff\xff\xff\x0f\x0a\x80", 7);
  RawReply session =
      RawStreamCall(daemon_->vmm_target(), "/hypercall.v1.VmmService/Session", {junk});
  EXPECT_EQ(session.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(session.status.error_message(), HasSubstr("malformed hypercall.v1.SessionRequest"));

  RawReply before_open =
      RawStreamCall(daemon_->vmm_target(), "/hypercall.v1.VmmService/Vcpu", {junk});
  EXPECT_EQ(before_open.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(before_open.status.error_message(), HasSubstr("malformed hypercall.v1.VcpuRequest"));

  // After a good open: the opened reply, then the error.
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = wire::MakeHello("daemon-test/1");
  open.mutable_open()->set_session_id((*vm)->session_id());
  RawReply after_open = RawStreamCall(daemon_->vmm_target(), "/hypercall.v1.VmmService/Vcpu",
                                      {open.SerializeAsString(), junk});
  EXPECT_EQ(after_open.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(after_open.status.error_message(), HasSubstr("malformed hypercall.v1.VcpuRequest"));
  ASSERT_EQ(after_open.messages.size(), 1u);
  v1::VcpuReply opened;
  ASSERT_TRUE(opened.ParseFromString(after_open.messages[0]));
  EXPECT_TRUE(opened.has_opened());
  ExpectServes("vm-b");
}

TEST_F(VmmServiceTest, OversizedMessageIsRefusedAndTheDaemonServesOn) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  // A channel that lets the client send more than the daemon accepts.
  auto stub = v1::VmmService::NewStub(
      grpc::CreateChannel(daemon_->vmm_target(), grpc::InsecureChannelCredentials()));
  auto vcpu = VcpuClient::Open(*stub, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  v1::VcpuRequest request = CallRequest(1, smccc::kTrngVersion);
  for (int i = 0; i < 20000; ++i) request.mutable_call()->add_args(i);  // ~160 KB.
  (*vcpu)->Send(request);
  grpc::Status status = (*vcpu)->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectServes("vm-b");
}

TEST_F(VmmServiceTest, GarbageOnTheSocketIsSurvived) {
  for (std::string_view name : {wire::kVmmSocketName, wire::kObserverSocketName}) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = wire::SocketPath(daemon_->runtime_dir(), name);
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    const char garbage[] = "GET / HTTP/1.1\r\n\r\n\x00\xff\xfe garbage garbage";
    ASSERT_GT(write(fd, garbage, sizeof(garbage)), 0);
    close(fd);
  }
  ExpectServes("vm-a");
  EXPECT_EQ(Status().hello().protocol_version(), 1u);
}

TEST_F(VmmServiceTest, ClientCancellingMidStreamLeavesOthersServed) {
  auto a = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
  auto b = AttachedVm::Attach(*stub_, TestVm("vm-b", 1));
  ASSERT_TRUE(a.ok() && b.ok());
  auto b0 = VcpuClient::Open(*stub_, (*b)->session_id(), 0);
  ASSERT_TRUE(b0.ok());
  {
    auto a0 = VcpuClient::Open(*stub_, (*a)->session_id(), 0);
    ASSERT_TRUE(a0.ok());
    ASSERT_TRUE((*a0)->Call(smccc::kTrngRnd64, {64}).ok());
    // A call sent, then the VMM vanishes without reading its result.
    ASSERT_TRUE((*a0)->Send(CallRequest(99, smccc::kTrngRnd64)));
    (*a0)->Cancel();
  }
  AwaitStatus([](const v1::StatusReply& s) { return s.vcpu_streams() == 1; });
  // vCPU 0 of vm-a can be opened again, and vm-b never noticed.
  auto again = VcpuClient::Open(*stub_, (*a)->session_id(), 0);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->Call(smccc::kTrngVersion).ok());
  EXPECT_TRUE((*b0)->Call(smccc::kTrngVersion).ok());
}

TEST_F(VmmServiceTest, EndingTheSessionEndsItsVcpuStreams) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  const std::string session_id = (*vm)->session_id();
  EXPECT_TRUE((*vm)->Detach().ok());
  grpc::Status status = (*vcpu)->AwaitEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(status.error_message(), HasSubstr("session ended"));
  AwaitStatus([](const v1::StatusReply& s) { return s.sessions() == 0 && s.vcpu_streams() == 0; });
  EXPECT_EQ(VcpuClient::Open(*stub_, session_id, 1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(VmmServiceTest, VmmVanishingEndsItsSession) {
  {
    auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a", 2));
    ASSERT_TRUE(vm.ok());
    auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
    ASSERT_TRUE(vcpu.ok());
    // Both streams are dropped by their destructors, the vCPU's cancelled.
  }
  AwaitStatus([](const v1::StatusReply& s) { return s.sessions() == 0 && s.vcpu_streams() == 0; });
  ExpectServes("vm-a");
}

TEST_F(VmmServiceTest, SigtermAnswersEndsStreamsAndExitsZero) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok());
  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE((*vcpu)->Call(smccc::kTrngVersion).ok());

  auto exit_status = daemon_->Stop();
  ASSERT_TRUE(exit_status.ok()) << exit_status.status();
  EXPECT_TRUE(WIFEXITED(*exit_status));
  EXPECT_EQ(WEXITSTATUS(*exit_status), 0);
  grpc::Status vcpu_status = (*vcpu)->AwaitEnd();
  EXPECT_EQ(vcpu_status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(vcpu_status.error_message(), HasSubstr("shutting down"));
  EXPECT_FALSE(std::filesystem::exists(wire::SocketPath(daemon_->runtime_dir(), "vmm.sock")));
  EXPECT_FALSE(std::filesystem::exists(wire::SocketPath(daemon_->runtime_dir(), "observer.sock")));
  EXPECT_THAT(daemon_->Log(), HasSubstr("\nsession "));
}

}  // namespace
}  // namespace hypercall::testing
