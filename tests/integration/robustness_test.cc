// Bad input from every kind of peer, each answered with a clear error while
// the daemon keeps serving everyone else.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <thread>

#include "hypercall/v1/observer.grpc.pb.h"
#include "raw_grpc.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::testing {
namespace {

constexpr char kGetStatus[] = "/hypercall.v1.ObserverService/GetStatus";
constexpr char kSession[] = "/hypercall.v1.VmmService/Session";
constexpr char kVcpu[] = "/hypercall.v1.VmmService/Vcpu";
constexpr char kTrace[] = "/hypercall.v1.ObserverService/Trace";

class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    vmm_ = Connect(daemon_->vmm_target());
    observer_ = Connect(daemon_->observer_target());
  }

  void TearDown() override {
    if (!daemon_) return;
    auto status = daemon_->Stop();
    ASSERT_TRUE(status.ok()) << status.status() << "\n" << daemon_->Log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon_->Log();
  }

  // The daemon still brokers a real call for a new VM and answers observers.
  void ExpectStillServing() {
    auto vm = TestVm::Attach(Connect(daemon_->vmm_target()),
                             "still-serving-" + std::to_string(++probes_));
    ASSERT_TRUE(vm.ok()) << vm.status() << "\n" << daemon_->Log();
    auto result = (*vm)->Call(smccc::kTrngVersion);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), 0x10000u);
    v1::StatusRequest request;
    *request.mutable_hello() = wire::MakeHello("robustness-test/1");
    v1::StatusReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status s = v1::ObserverService::NewStub(observer_)->GetStatus(&ctx, request, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static std::string Serialized(const google::protobuf::Message& m) {
    return m.SerializeAsString();
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::shared_ptr<grpc::Channel> vmm_;
  std::shared_ptr<grpc::Channel> observer_;
  int probes_ = 0;
};

// Connects to a socket of the daemon and writes `bytes`, then closes.
void WriteRaw(const std::string& path, const std::string& bytes) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << strerror(errno);
  (void)!write(fd, bytes.data(), bytes.size());
  close(fd);
}

TEST_F(RobustnessTest, GarbageOnEverySocketIsSurvived) {
  std::mt19937 rng(42);
  std::string noise(64 * 1024, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  for (auto name : {wire::kVmmSocketName, wire::kObserverSocketName}) {
    const std::string path = wire::SocketPath(daemon_->runtime_dir(), name);
    WriteRaw(path, noise);
    WriteRaw(path, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    // A valid HTTP/2 preface followed by junk frames.
    WriteRaw(path, std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + noise.substr(0, 4096));
    WriteRaw(path, "");
  }
  ExpectStillServing();
}

TEST_F(RobustnessTest, MalformedProtobufGetsAnErrorStatus) {
  const std::string junk = "\xff\xff\xff\xff\x0f\x0a\x80";
  RawReply unary = RawUnaryCall(observer_, kGetStatus, junk);
  EXPECT_FALSE(unary.status.ok());
  RawReply session = RawStreamCall(vmm_, kSession, {junk});
  EXPECT_FALSE(session.status.ok());
  RawReply vcpu = RawStreamCall(vmm_, kVcpu, {junk});
  EXPECT_FALSE(vcpu.status.ok());
  ExpectStillServing();
}

TEST_F(RobustnessTest, OversizedMessagesAreRefused) {
  v1::StatusRequest request;
  *request.mutable_hello() = wire::MakeHello(std::string(wire::kMaxMessageBytes + 1, 'x'));
  RawReply unary = RawUnaryCall(observer_, kGetStatus, Serialized(request));
  EXPECT_EQ(unary.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << unary.status.error_message();

  v1::SessionRequest attach;
  *attach.mutable_attach()->mutable_hello() = wire::MakeHello("big/1");
  attach.mutable_attach()->mutable_vm()->set_name(std::string(wire::kMaxMessageBytes, 'v'));
  RawReply session = RawStreamCall(vmm_, kSession, {Serialized(attach)});
  EXPECT_EQ(session.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << session.status.error_message();
  ExpectStillServing();
}

TEST_F(RobustnessTest, UnknownProtocolVersionIsRefusedOnEveryStream) {
  v1::Hello future = wire::MakeHello("future/9");
  future.set_protocol_version(99);

  v1::StatusRequest status;
  *status.mutable_hello() = future;
  v1::SessionRequest attach;
  *attach.mutable_attach()->mutable_hello() = future;
  attach.mutable_attach()->mutable_vm()->set_name("future");
  attach.mutable_attach()->mutable_vm()->set_vcpu_count(1);
  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = future;
  v1::TraceRequest trace;
  *trace.mutable_hello() = future;

  std::vector<RawReply> replies = {
      RawUnaryCall(observer_, kGetStatus, Serialized(status)),
      RawStreamCall(vmm_, kSession, {Serialized(attach)}),
      RawStreamCall(vmm_, kVcpu, {Serialized(open)}),
      RawStreamCall(observer_, kTrace, {Serialized(trace)}),
  };
  for (const RawReply& reply : replies) {
    EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << reply.status.error_message();
    EXPECT_NE(reply.status.error_message().find("version 99"), std::string::npos)
        << reply.status.error_message();
  }
  ExpectStillServing();
}

TEST_F(RobustnessTest, ReservedRangeIdsAreAnsweredNotSupported) {
  auto vm = TestVm::Attach(vmm_, "reserved");
  ASSERT_TRUE(vm.ok()) << vm.status();
  for (uint32_t fid : {0x80000000u, 0x80008000u, 0xc0000001u}) {
    auto result = (*vm)->Call(fid);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), fid & 0x40000000 ? ~0ull : 0xffffffffull) << std::hex << fid;
  }
  ExpectStillServing();
}

TEST_F(RobustnessTest, VmmKilledMidCallLeavesNoSession) {
  // A real VMM process (the demo VM, through the shim) calling as fast as it
  // can on two vCPUs, killed without warning.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string bin = BinaryPath("hypercall-demo-vm");
    const std::string dir = daemon_->runtime_dir();
    execl(bin.c_str(), bin.c_str(), "--runtime-dir", dir.c_str(), "--name", "doomed", "--vcpus",
          "2", "--rate", "100000", static_cast<char*>(nullptr));
    _exit(127);
  }
  struct KillOnExit {
    pid_t pid;
    ~KillOnExit() {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  } reaper{child};
  auto sessions = [&] {
    v1::ListSessionsRequest request;
    *request.mutable_hello() = wire::MakeHello("robustness-test/1");
    v1::ListSessionsReply reply;
    grpc::ClientContext ctx;
    v1::ObserverService::NewStub(observer_)->ListSessions(&ctx, request, &reply);
    return reply.sessions_size();
  };
  auto wait_for_sessions = [&](int want) {
    for (int i = 0; i < 500 && sessions() != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return sessions();
  };
  ASSERT_EQ(wait_for_sessions(1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Let calls flow.
  ASSERT_EQ(kill(child, SIGKILL), 0);
  EXPECT_EQ(wait_for_sessions(0), 0) << "the killed VMM's session was not removed";
  ExpectStillServing();
}

TEST_F(RobustnessTest, ClientsCancellingMidStreamDoNotDisturbOthers) {
  auto steady = TestVm::Attach(vmm_, "steady");
  ASSERT_TRUE(steady.ok()) << steady.status();
  for (int round = 0; round < 20; ++round) {
    grpc::ClientContext ctx;
    auto stub = v1::VmmService::NewStub(vmm_);
    auto stream = stub->Session(&ctx);
    v1::SessionRequest attach;
    *attach.mutable_attach()->mutable_hello() = wire::MakeHello("canceller/1");
    attach.mutable_attach()->mutable_vm()->set_name("canceller");
    attach.mutable_attach()->mutable_vm()->set_vcpu_count(1);
    stream->Write(attach);
    if (round % 2) {
      v1::SessionEvent event;
      stream->Read(&event);
    }
    ctx.TryCancel();
    stream->Finish();
    auto result = (*steady)->Call(smccc::kTrngRnd64, {64});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), 0u);
  }
  ExpectStillServing();
}

}  // namespace
}  // namespace hypercall::testing
