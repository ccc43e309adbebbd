// The observer role as an attacker on the same host tries it against the
// real daemon over its real sockets: the real `hypercallctl trace` run as
// another uid watches a victim VM's calls (known nonzero arguments, the
// probe's ECHO_ALL, and TRNG random numbers) and must see their metadata
// only, unless the config grants it registers; results the provider keeps
// secret (TRNG's) it never sees. And nothing on the observer socket does
// anything but observe.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_format.h"
#include "daemon/service/daemon_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercall/v1/provider.grpc.pb.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// nobody:nogroup, an unprivileged uid the config grants nothing.
constexpr RunAs kNobody = {65534, 65534};
// Granted registers by uid, and (a uid not listed) by its group.
constexpr RunAs kGrantedUid = {4242, 4242};
constexpr RunAs kGrantedGroup = {5151, 4343};

constexpr uint32_t kEchoAll = 0xc3000000;  // probe: x_i = arg_i + i * 0x1111111111111111.

uint64_t EchoArg(int i) { return 0x5eed0000c0de0000ull | static_cast<uint64_t>(i); }

class ObserverRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "the attacks need a second uid: run the tests as root";
    char dir[] = "/tmp/hypercall-observer-roles-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    config_ = dir_ + "/hypercalld.conf";
    WriteConfig("allow_uid: 4242 allow_gid: 4343");
    auto daemon = DaemonProcess::Start({"--config", config_});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    // Let other uids reach the sockets and run the CLI from here: the build
    // tree may be under a directory only root can enter.
    const std::filesystem::path runtime(daemon_->runtime_dir());
    for (const std::filesystem::path& path : {runtime.parent_path(), runtime}) {
      ASSERT_EQ(chmod(path.c_str(), 0755), 0) << path;
    }
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    ctl_ = dir_ + "/hypercallctl";
    std::filesystem::copy_file(BinaryPath("hypercallctl"), ctl_);
    ASSERT_EQ(chmod(ctl_.c_str(), 0755), 0);
    observer_ = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));

    auto victim = TestVm::Attach(Connect(daemon_->vmm_target()), "victim", 1);
    ASSERT_TRUE(victim.ok()) << victim.status();
    victim_ = *std::move(victim);
  }

  void TearDown() override {
    victim_.reset();
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The config with `grant` inside observers.registers.
  void WriteConfig(const std::string& grant) {
    std::ofstream(config_) << "version: 1\n"
                              "provider { name: \"trng\" builtin {} }\n"
                              "provider { name: \"probe\" builtin {} }\n"
                              "observers { registers { "
                           << grant
                           << " } }\n"
                              "sockets { vmm { mode: 0666 } observer { mode: 0666 } "
                              "provider { mode: 0666 } }\n";
  }

  // Rewrites the config with `grant`, reloads it and waits (bounded) until
  // the daemon logs `applied`, a line only the new grant logs.
  void Reload(const std::string& grant, const std::string& applied) {
    const size_t before = Count(daemon_->Log(), applied);
    WriteConfig(grant);
    daemon_->Signal(SIGHUP);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Count(daemon_->Log(), applied) == before) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << daemon_->Log();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  static size_t Count(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }

  // Runs `hypercallctl [--json] trace --vm victim --count 2` as `as` (root
  // when nullopt) while the victim makes an ECHO_ALL call with 17 known
  // nonzero arguments and a TRNG_RND64 call for 192 bits.
  CommandResult WatchVictim(std::optional<RunAs> as, bool json = true) {
    CommandResult trace;
    std::vector<std::string> argv = {ctl_, "--runtime-dir", daemon_->runtime_dir()};
    if (json) argv.push_back("--json");
    for (const char* arg : {"trace", "--vm", "victim", "--count", "2"}) argv.push_back(arg);
    std::thread watcher([&] { trace = RunCommand(argv, 20000, as); });
    AwaitDaemonStatus(*observer_, [](const v1::StatusReply& s) { return s.trace_watchers() == 1; });
    std::vector<uint64_t> args;
    for (int i = 1; i <= 17; ++i) args.push_back(EchoArg(i));
    auto echo = victim_->Call(kEchoAll, args);
    EXPECT_TRUE(echo.ok()) << echo.status();
    auto random = victim_->Call(smccc::kTrngRnd64, {192});
    EXPECT_TRUE(random.ok()) << random.status();
    if (random.ok()) random_ = *random;
    watcher.join();
    EXPECT_EQ(trace.exit_code, 0) << trace.out << trace.err;
    return trace;
  }

  // Every value the victim's calls carried: arguments and results.
  std::vector<std::string> VictimValues() const {
    std::vector<std::string> values;
    for (int i = 1; i <= 17; ++i) {
      values.push_back(absl::StrFormat("0x%x", EchoArg(i)));
      values.push_back(absl::StrFormat("0x%x", EchoArg(i) + i * 0x1111111111111111ull));
    }
    return values;
  }

  // The random bits the victim got (x1..x3), as a trace would print them.
  std::vector<std::string> RandomBits() const {
    std::vector<std::string> bits;
    for (int i = 1; i <= 3 && i < random_.regs_size(); ++i) {
      bits.push_back(absl::StrFormat("\"0x%x\"", random_.regs(i)));
    }
    return bits;
  }

  std::string dir_;
  std::string config_;
  std::string ctl_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::ObserverService::Stub> observer_;
  std::unique_ptr<TestVm> victim_;
  v1::Result random_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST_F(ObserverRolesTest, AnObserverWithoutAGrantSeesMetadataButNoRegisterValues) {
  const CommandResult trace = WatchVictim(kNobody);
  const std::vector<std::string> lines = Lines(trace.out);
  ASSERT_EQ(lines.size(), 2u) << trace.out;
  // The metadata is there...
  EXPECT_THAT(lines[0], HasSubstr(R"("vm":"victim","vcpu":0,"conduit":"HVC",)"
                                  R"("function_id":"0xc3000000")"));
  EXPECT_THAT(lines[0], HasSubstr(R"("result":{"x0":"0x0","x1":null,)"));
  EXPECT_THAT(lines[0], HasSubstr(R"("provider":"probe","latency_ns":)"));
  EXPECT_THAT(lines[0], HasSubstr(R"("registers_withheld":true,"results_secret":false})"));
  EXPECT_THAT(lines[1], HasSubstr(R"("name":"TRNG_RND64","args":{"x1":null},)"
                                  R"("result":{"x0":"0x0","x1":null,"x2":null,"x3":null})"));
  EXPECT_THAT(lines[1], HasSubstr(R"("registers_withheld":true,"results_secret":true})"));
  // ...and no value the victim passed or got.
  for (const std::string& value : VictimValues()) EXPECT_THAT(trace.out, Not(HasSubstr(value)));
  for (const std::string& bits : RandomBits()) EXPECT_THAT(trace.out, Not(HasSubstr(bits)));
  EXPECT_THAT(trace.out, Not(HasSubstr("0xc0")));  // RND64's argument, 192 bits.
}

TEST_F(ObserverRolesTest, TheTextTraceSaysWhatIsWithheld) {
  const CommandResult trace = WatchVictim(kNobody, /*json=*/false);
  const std::vector<std::string> lines = Lines(trace.out);
  ASSERT_EQ(lines.size(), 2u) << trace.out;
  EXPECT_THAT(lines[0], HasSubstr("(x1-x17 withheld) -> x0=0x0 x1-x17 withheld [probe]"));
  EXPECT_THAT(lines[1], HasSubstr("TRNG_RND64(x1 withheld) -> x0=0x0 x1-x3 secret [trng]"));
  for (const std::string& value : VictimValues()) EXPECT_THAT(trace.out, Not(HasSubstr(value)));
}

TEST_F(ObserverRolesTest, RootIsNotGrantedUnlessListed) {
  const CommandResult trace = WatchVictim(std::nullopt);
  EXPECT_THAT(trace.out, HasSubstr(R"("registers_withheld":true)"));
  EXPECT_THAT(trace.out, Not(HasSubstr(R"("registers_withheld":false)")));
  for (const std::string& value : VictimValues()) EXPECT_THAT(trace.out, Not(HasSubstr(value)));
}

TEST_F(ObserverRolesTest, AGrantedUidSeesRegistersButNeverSecretResults) {
  const CommandResult trace = WatchVictim(kGrantedUid);
  const std::vector<std::string> lines = Lines(trace.out);
  ASSERT_EQ(lines.size(), 2u) << trace.out;
  for (const std::string& value : VictimValues()) EXPECT_THAT(lines[0], HasSubstr(value));
  EXPECT_THAT(lines[0], HasSubstr(R"("registers_withheld":false,"results_secret":false})"));
  EXPECT_THAT(lines[1], HasSubstr(R"("args":{"x1":"0xc0"},)"
                                  R"("result":{"x0":"0x0","x1":null,"x2":null,"x3":null})"));
  EXPECT_THAT(lines[1], HasSubstr(R"("registers_withheld":false,"results_secret":true})"));
  ASSERT_EQ(RandomBits().size(), 3u);
  for (const std::string& bits : RandomBits()) EXPECT_THAT(trace.out, Not(HasSubstr(bits)));
}

TEST_F(ObserverRolesTest, AGrantedGroupSeesRegistersToo) {
  const CommandResult trace = WatchVictim(kGrantedGroup);
  EXPECT_THAT(trace.out, HasSubstr(absl::StrFormat("\"x17\":\"0x%x\"", EchoArg(17))));
  EXPECT_THAT(trace.out, Not(HasSubstr(R"("registers_withheld":true)")));
}

TEST_F(ObserverRolesTest, ListingsShowWhichRangesAreSecret) {
  grpc::ClientContext context;
  v1::ListRangesRequest request;
  *request.mutable_hello() = wire::MakeHello("observer-roles-test/1");
  v1::ListRangesReply reply;
  ASSERT_TRUE(observer_->ListRanges(&context, request, &reply).ok());
  int trng = 0;
  for (const v1::RangeInfo& range : reply.ranges()) {
    EXPECT_EQ(range.secret_results(), range.provider() == "trng") << range.DebugString();
    trng += range.provider() == "trng";
  }
  EXPECT_EQ(trng, 2);
  const CommandResult ranges =
      RunCommand({ctl_, "--runtime-dir", daemon_->runtime_dir(), "ranges"}, 20000, kNobody);
  EXPECT_EQ(ranges.exit_code, 0) << ranges.err;
  EXPECT_THAT(ranges.out, HasSubstr("RESULTS"));
  EXPECT_THAT(ranges.out, ::testing::ContainsRegex("trng +x1 +- +secret"));
}

// The grant is asked for every event: a reload that gives it applies to a
// trace already running, and so does one that takes it away.
TEST_F(ObserverRolesTest, AReloadChangesWhatARunningTraceSees) {
  grpc::ClientContext context;
  v1::TraceRequest request;
  *request.mutable_hello() = wire::MakeHello("observer-roles-test/1");
  request.set_vm("victim");
  auto trace = observer_->Trace(&context, request);
  AwaitDaemonStatus(*observer_, [](const v1::StatusReply& s) { return s.trace_watchers() == 1; });
  v1::TraceEvent event;
  const std::vector<uint64_t> args = {EchoArg(1)};

  ASSERT_TRUE(victim_->Call(kEchoAll, args).ok());
  ASSERT_TRUE(trace->Read(&event));
  EXPECT_TRUE(event.registers_withheld());  // Root is not listed.
  EXPECT_EQ(event.call().args_size(), 0);

  Reload("allow_uid: 0", "observers with uid [0] or gid [] see registers");
  ASSERT_TRUE(victim_->Call(kEchoAll, args).ok());
  ASSERT_TRUE(trace->Read(&event));
  EXPECT_FALSE(event.registers_withheld());
  ASSERT_EQ(event.call().args_size(), 1);
  EXPECT_EQ(event.call().args(0), EchoArg(1));

  Reload("", "observers see call metadata only");
  ASSERT_TRUE(victim_->Call(kEchoAll, args).ok());
  ASSERT_TRUE(trace->Read(&event));
  EXPECT_TRUE(event.registers_withheld());
  EXPECT_EQ(event.call().args_size(), 0);
  EXPECT_EQ(event.result().regs_size(), 1);
  context.TryCancel();
  trace->Finish();
}

// Each socket has its own gRPC server with its role's service alone, so a
// VMM's or a provider's call on the observer socket is UNIMPLEMENTED: an
// observer cannot attach, open a vCPU or serve (or claim) a range there.
TEST_F(ObserverRolesTest, TheObserverSocketServesNothingButObserving) {
  const std::shared_ptr<grpc::Channel> observer_socket = Connect(daemon_->observer_target());
  {
    auto vmm = v1::VmmService::NewStub(observer_socket);
    grpc::ClientContext context;
    auto session = vmm->Session(&context);
    v1::SessionRequest attach;
    *attach.mutable_attach()->mutable_hello() = wire::MakeHello("observer-roles-test/1");
    attach.mutable_attach()->mutable_vm()->set_name("intruder");
    attach.mutable_attach()->mutable_vm()->set_vcpu_count(1);
    session->Write(attach);
    session->WritesDone();
    v1::SessionEvent event;
    EXPECT_FALSE(session->Read(&event));
    EXPECT_EQ(session->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    auto vmm = v1::VmmService::NewStub(observer_socket);
    grpc::ClientContext context;
    auto vcpu = vmm->Vcpu(&context);
    v1::VcpuRequest open;
    *open.mutable_open()->mutable_hello() = wire::MakeHello("observer-roles-test/1");
    open.mutable_open()->set_session_id(victim_->attached().session_id());
    vcpu->Write(open);
    vcpu->WritesDone();
    v1::VcpuReply reply;
    EXPECT_FALSE(vcpu->Read(&reply));
    EXPECT_EQ(vcpu->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    auto provider = v1::ProviderService::NewStub(observer_socket);
    grpc::ClientContext context;
    auto serve = provider->Serve(&context);
    v1::ProviderMessage hello;
    *hello.mutable_hello()->mutable_hello() = wire::MakeHello("observer-roles-test/1");
    hello.mutable_hello()->set_name("trng");
    serve->Write(hello);
    serve->WritesDone();
    v1::DaemonMessage message;
    EXPECT_FALSE(serve->Read(&message));
    EXPECT_EQ(serve->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  // Nothing changed: the victim alone is attached, and it still calls.
  const v1::StatusReply status = DaemonStatus(*observer_);
  EXPECT_EQ(status.sessions(), 1u);
  EXPECT_TRUE(victim_->Call(smccc::kTrngVersion).ok());
  // The other way round too: the observer service is not on the VMM or
  // provider sockets (a VMM has nothing to gain from it, but the roles stay
  // apart).
  for (const std::string& target : {daemon_->vmm_target(), daemon_->provider_target()}) {
    auto stub = v1::ObserverService::NewStub(Connect(target));
    grpc::ClientContext context;
    v1::StatusRequest request;
    *request.mutable_hello() = wire::MakeHello("observer-roles-test/1");
    v1::StatusReply reply;
    EXPECT_EQ(stub->GetStatus(&context, request, &reply).error_code(),
              grpc::StatusCode::UNIMPLEMENTED)
        << target;
  }
}

}  // namespace
}  // namespace hypercall::testing
