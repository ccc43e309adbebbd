// What a peer can do to the daemon before it is authorized for anything, as
// an attacker on the same host tries it against the real daemon over its
// real sockets: open streams and say nothing, flood a socket with
// connections, hang reflection streams, watch a trace and stop reading, and
// take over a socket path. Each must cost the daemon a bounded amount and
// never keep a VMM from attaching and calling.
#include <grpcpp/generic/generic_stub.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "raw_grpc.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "test_provider.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

constexpr RunAs kNobody = {65534, 65534};
constexpr char kSession[] = "/hypercall.v1.VmmService/Session";
constexpr char kVcpu[] = "/hypercall.v1.VmmService/Vcpu";
constexpr char kProviderServe[] = "/hypercall.v1.ProviderService/Serve";
constexpr char kReflection[] = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

class PreauthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "the attacks need a second uid: run the tests as root";
    char dir[] = "/tmp/hypercall-preauth-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the daemon on a config with `limits` (the body of its limits
  // block) and sockets everyone may connect to.
  void StartDaemon(const std::string& limits) {
    const std::string config = dir_ + "/hypercalld.conf";
    std::ofstream(config) << "version: 1\n"
                             "provider { name: \"trng\" builtin {} }\n"
                             "sockets { vmm { mode: 0666 } observer { mode: 0666 } "
                             "provider { mode: 0666 } }\n"
                             "limits { "
                          << limits << " }\n";
    auto daemon = DaemonProcess::Start({"--config", config});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    const std::filesystem::path runtime(daemon_->runtime_dir());
    for (const std::filesystem::path& path : {runtime.parent_path(), runtime}) {
      ASSERT_EQ(chmod(path.c_str(), 0755), 0) << path;
    }
  }

  // A VMM attaches a new VM and makes a call, as if no attack were going on.
  void ExpectAVmmAttachesAndCalls(const std::string& name) {
    auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), name);
    ASSERT_TRUE(vm.ok()) << vm.status() << "\n" << daemon_->Log();
    auto result = (*vm)->Call(smccc::kTrngVersion);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), 0x10000u);
  }

  v1::StatusReply Status() {
    auto observer = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::StatusRequest request;
    *request.mutable_hello() = wire::MakeHello("preauth-test/1");
    v1::StatusReply reply;
    const grpc::Status status = observer->GetStatus(&context, request, &reply);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return reply;
  }

  // Threads the daemon runs now.
  int DaemonThreads() {
    std::ifstream status("/proc/" + std::to_string(daemon_->pid()) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      int threads = 0;
      if (line.rfind("Threads:", 0) == 0 &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)), &threads)) {
        return threads;
      }
    }
    ADD_FAILURE() << "no thread count for the daemon";
    return -1;
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(PreauthTest, StreamsThatSayNothingAreClosedAfterTheOpenTimeout) {
  StartDaemon("open_timeout_ms: 300");
  struct Case {
    std::string target;
    const char* method;
  };
  for (const Case& c : {Case{daemon_->vmm_target(), kSession}, Case{daemon_->vmm_target(), kVcpu},
                        Case{daemon_->provider_target(), kProviderServe}}) {
    SCOPED_TRACE(c.method);
    const absl::Time start = absl::Now();
    const RawReply reply = RawSilentStream(Connect(c.target), c.method, std::chrono::seconds(10));
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
    EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    EXPECT_THAT(reply.status.error_message(), HasSubstr("limits.open_timeout_ms"));
  }
  // A stream that opens in time is not touched, however long it lives.
  auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), "in-time");
  ASSERT_TRUE(vm.ok()) << vm.status();
  absl::SleepFor(absl::Milliseconds(600));
  EXPECT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
}

TEST_F(PreauthTest, ConnectionsOfOneUidAreCappedAndCountedUntilTheyClose) {
  StartDaemon("max_connections_per_uid: 8");
  const std::string hog = dir_ + "/hypercall-test-connection-hog";
  std::filesystem::copy_file(BinaryPath("hypercall-test-connection-hog"), hog);
  ASSERT_EQ(chmod(hog.c_str(), 0755), 0);
  const std::string socket = daemon_->runtime_dir() + "/vmm.sock";
  std::future<CommandResult> attack = std::async(std::launch::async, [&] {
    return RunCommand({hog, socket, "30", "3000"}, 30000, kNobody);
  });
  // While nobody holds its share, another uid's VMM is served.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (daemon_->Log().find("refused a connection") == std::string::npos) {
    ASSERT_LT(absl::Now(), deadline) << daemon_->Log();
    absl::SleepFor(absl::Milliseconds(20));
  }
  ExpectAVmmAttachesAndCalls("while-flooded");
  const CommandResult result = attack.get();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("round 1: held 8 refused 22"));
  // gRPC dropped those 8 (garbage) while the attacker kept its ends open:
  // they no longer count, so the next 8 are admitted again.
  EXPECT_THAT(result.out, HasSubstr("dropped 8"));
  EXPECT_THAT(result.out, HasSubstr("round 2: held 8 refused 22"));
  const std::string log = daemon_->Log();
  EXPECT_THAT(log, HasSubstr("uid 65534 gid 65534: its uid has 8 connections open "
                             "(limits.max_connections_per_uid)"));
  // 44 refusals, logged rate-limited.
  const auto lines = std::vector<std::string>(absl::StrSplit(log, "refused a connection"));
  EXPECT_LE(lines.size() - 1, 15u) << log;
}

TEST_F(PreauthTest, HungReflectionStreamsHoldAFewThreadsAtMost) {
  StartDaemon("");
  const int before = DaemonThreads();
  // 40 reflection streams that never send a request: each would hold a
  // sync-API thread of the VMM server for as long as it stays open.
  auto channel = Connect(daemon_->vmm_target());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  // Drives the calls: without a thread polling it, they never leave.
  std::thread poller([&cq] {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
    }
  });
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::GenericClientAsyncReaderWriter>> calls;
  for (int i = 0; i < 40; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    calls.push_back(stub.PrepareCall(contexts.back().get(), kReflection, &cq));
    calls.back()->StartCall(nullptr);
  }
  absl::SleepFor(absl::Seconds(1));
  const int during = DaemonThreads();
  EXPECT_LT(during - before, 20) << "before " << before << ", during " << during;
  ExpectAVmmAttachesAndCalls("beside-hung-reflection");
  EXPECT_TRUE(Status().has_hello());
  for (auto& context : contexts) context->TryCancel();
  calls.clear();
  cq.Shutdown();
  poller.join();
}

TEST_F(PreauthTest, ATraceWatcherThatStopsReadingLosesItsSlotNotAThread) {
  StartDaemon("max_trace_watchers: 1");
  // A watcher that stops reading: hypercallctl trace, stopped.
  const pid_t watcher = fork();
  ASSERT_GE(watcher, 0);
  if (watcher == 0) {
    freopen("/dev/null", "w", stdout);
    const std::string ctl = BinaryPath("hypercallctl");
    execl(ctl.c_str(), ctl.c_str(), "--runtime-dir", daemon_->runtime_dir().c_str(), "trace",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Status().trace_watchers() != 1) {
    ASSERT_LT(absl::Now(), deadline);
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(kill(watcher, SIGSTOP), 0);
  // Enough events to fill every buffer between the daemon and the watcher.
  auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), "traced");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const absl::Time calls_end = absl::Now() + absl::Seconds(8);
  for (int i = 0; i < 40000 && absl::Now() < calls_end; ++i) {
    ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
  }
  // Its stream is ended: the one watcher slot is free for someone else.
  const absl::Time freed = absl::Now() + absl::Seconds(20);
  while (Status().trace_watchers() != 0 && absl::Now() < freed) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(Status().trace_watchers(), 0u) << daemon_->Log();
  EXPECT_THAT(daemon_->Log(), HasSubstr("took no event for"));
  auto observer = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::TraceRequest request;
  *request.mutable_hello() = wire::MakeHello("preauth-test/1");
  auto trace = observer->Trace(&context, request);
  while (Status().trace_watchers() != 1) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE((*vm)->Call(smccc::kTrngVersion).ok());
  v1::TraceEvent event;
  EXPECT_TRUE(trace->Read(&event));
  context.TryCancel();
  kill(watcher, SIGKILL);
  waitpid(watcher, nullptr, 0);
}

TEST_F(PreauthTest, AProviderThatStopsAnsweringLosesItsRangesToAnotherProcess) {
  constexpr uint32_t kOem = 0xC3000000;
  const std::string config = dir_ + "/provider.conf";
  std::ofstream(config) << "version: 1\n"
                           "provider { name: \"oem\" external { allow_uid: 0 }\n"
                           "  range { first: 0xC3000000 last: 0xC30000FF reads: [1] } }\n"
                           "limits { call_deadline_ms: 50 max_missed_deadlines: 3 }\n";
  auto daemon = DaemonProcess::Start({"--config", config});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = *std::move(daemon);
  auto stalled = TestProvider::Connect(daemon_->provider_target(), "oem");
  ASSERT_TRUE(stalled.ok()) << stalled.status();
  auto claim = (*stalled)->Claim(kOem, 0x10, 0x2);
  ASSERT_TRUE(claim.ok() && claim->granted());
  auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), "served");
  ASSERT_TRUE(vm.ok()) << vm.status();
  // It takes the calls and never answers: three deadlines missed in a row.
  for (int i = 0; i < 3; ++i) {
    auto result = (*vm)->Call(kOem, {static_cast<uint64_t>(i)});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), 0xFFFFFFFFFFFFFFFFu);
  }
  // Another process may now serve the range.
  auto next = TestProvider::Connect(daemon_->provider_target(), "oem");
  ASSERT_TRUE(next.ok()) << next.status();
  claim = (*next)->Claim(kOem, 0x10, 0x2);
  ASSERT_TRUE(claim.ok());
  EXPECT_TRUE(claim->granted()) << claim->reason();
  std::thread process([&] {
    auto call = (*next)->NextCall();
    ASSERT_TRUE(call.ok()) << call.status();
    (*next)->Answer(call->call().call_id(), {0, 42});
  });
  auto result = (*vm)->Call(kOem, {1});
  process.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->regs(1), 42u);
  // The first one's stream was ended, saying why.
  absl::StatusOr<v1::ForwardedCall> ended = (*stalled)->NextCall();
  while (ended.ok()) ended = (*stalled)->NextCall();
  EXPECT_EQ(ended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(ended.status().message()), HasSubstr("limits.max_missed_deadlines"));
}

TEST_F(PreauthTest, ShutdownLeavesASocketAnotherDaemonNowOwns) {
  StartDaemon("");
  const std::string path = daemon_->runtime_dir() + "/vmm.sock";
  // Another daemon took the path (someone removed this one's file).
  ASSERT_EQ(unlink(path.c_str()), 0);
  const int other = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(other, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(other, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(other, 4), 0);
  struct stat theirs {};
  ASSERT_EQ(lstat(path.c_str(), &theirs), 0);

  auto stopped = daemon_->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  struct stat after {};
  ASSERT_EQ(lstat(path.c_str(), &after), 0) << "the daemon removed the other daemon's socket";
  EXPECT_EQ(after.st_ino, theirs.st_ino);
  // Its own sockets it did remove.
  EXPECT_FALSE(std::filesystem::exists(daemon_->runtime_dir() + "/observer.sock"));
  EXPECT_THAT(daemon_->Log(), HasSubstr("is no longer the socket this daemon made"));
  close(other);
}

}  // namespace
}  // namespace hypercall::testing
