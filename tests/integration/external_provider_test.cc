// Out-of-process providers against the real daemon: a config names them, a
// process serving one connects to the provider socket, and VMs' calls reach
// it; and every way that goes wrong (wrong uid, claims the config forbids,
// two processes racing, a process vanishing or too slow) leaves no vCPU
// waiting past its deadline.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "support/daemon_process.h"
#include "test_provider.h"
#include "test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr uint32_t kOem = 0xC3000000;
constexpr uint64_t kNotSupported = ~uint64_t{0};

// A config with one external provider "oem" that this test's uid may serve
// (unless `uid` says otherwise), plus `extra` lines.
std::string OemConfig(uid_t uid = getuid(), const std::string& extra = "") {
  return absl::StrFormat(R"(version: 1
provider { name: "trng" builtin {} }
provider {
  name: "oem"
  external { allow_uid: %d }
  range { first: 0xC3000000 last: 0xC30000FF reads: [1, 2] }
}
limits { call_deadline_ms: 300 }
%s)",
                         uid, extra);
}

class ExternalProviderTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& config) {
    char dir[] = "/tmp/hypercall-conf-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    config_dir_ = dir;
    config_path_ = config_dir_ + "/hypercalld.conf";
    WriteConfig(config);
    auto daemon = DaemonProcess::Start({"--config", config_path_});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }
  void TearDown() override {
    daemon_.reset();
    if (!config_dir_.empty()) std::filesystem::remove_all(config_dir_);
  }
  void WriteConfig(const std::string& config) { std::ofstream(config_path_) << config; }

  absl::StatusOr<std::unique_ptr<TestProvider>> ConnectProvider(const std::string& name = "oem") {
    return TestProvider::Connect(daemon_->provider_target(), name);
  }
  absl::StatusOr<std::unique_ptr<TestVm>> AttachVm(const std::string& name, int vcpus = 1) {
    return TestVm::Attach(Connect(daemon_->vmm_target()), name, vcpus);
  }
  v1::ListProvidersReply ListProviders() {
    auto stub = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
    grpc::ClientContext context;
    v1::ListProvidersRequest request;
    *request.mutable_hello() = wire::MakeHello("test/1");
    v1::ListProvidersReply reply;
    EXPECT_TRUE(stub->ListProviders(&context, request, &reply).ok());
    return reply;
  }
  bool Logged(const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (daemon_->Log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  std::string config_dir_;
  std::string config_path_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ExternalProviderTest, CallsReachTheProcessThatClaimedTheirRange) {
  StartDaemon(OemConfig());
  auto provider = ConnectProvider();
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto claim = (*provider)->Claim(kOem, 0x10, 0x6);
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_TRUE(claim->granted()) << claim->reason();

  auto vm = AttachVm("vm-a", 2);
  ASSERT_TRUE(vm.ok()) << vm.status();
  // The plan reads what the config says the provider reads.
  bool planned = false;
  for (const auto& range : (*vm)->attached().plan().ranges()) {
    if (range.first_function_id() == kOem) {
      planned = true;
      EXPECT_EQ(range.args_read_mask(), 0x6u);
      EXPECT_EQ(range.provider(), "oem");
    }
  }
  EXPECT_TRUE(planned);

  std::thread process([&] {
    auto call = (*provider)->NextCall();
    ASSERT_TRUE(call.ok()) << call.status();
    EXPECT_EQ(call->call().vm(), "vm-a");
    EXPECT_EQ(call->call().vcpu(), 1u);
    EXPECT_EQ(call->call().function_id(), kOem + 1);
    EXPECT_GT(call->deadline_nanos(), 0u);
    (*provider)->Answer(call->call().call_id(), {0, call->call().args(0) + 1, 0x77});
  });
  auto result = (*vm)->Call(kOem + 1, {41, 99}, /*vcpu=*/1);
  process.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->regs(0), 0u);
  EXPECT_EQ(result->regs(1), 42u);
  EXPECT_EQ(result->regs(2), 0x77u);

  v1::ListProvidersReply providers = ListProviders();
  bool listed = false;
  for (const v1::ProviderInfo& info : providers.providers()) {
    if (info.name() != "oem") continue;
    listed = true;
    EXPECT_EQ(info.kind(), "external");
    ASSERT_EQ(info.serving_size(), 1);
    EXPECT_EQ(info.serving(0).pid(), static_cast<uint32_t>(getpid()));
    EXPECT_EQ(info.serving(0).uid(), getuid());
    EXPECT_EQ(info.external().answered(), 1u);
  }
  EXPECT_TRUE(listed);
}

TEST_F(ExternalProviderTest, APlannedRangeNobodyServesIsNotSupportedAtOnce) {
  StartDaemon(OemConfig());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const auto start = std::chrono::steady_clock::now();
  auto result = (*vm)->Call(kOem, {1});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->regs(0), kNotSupported);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(250));
}

TEST_F(ExternalProviderTest, AProcessWithTheWrongUidIsRefusedSayingWhoMay) {
  StartDaemon(OemConfig(getuid() + 1));
  auto provider = ConnectProvider();
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kPermissionDenied);
  // The refusal lists the process's supplementary groups too.
  EXPECT_THAT(
      provider.status().message(),
      HasSubstr(absl::StrFormat("uid %d gid %d (supplementary groups [", getuid(), getgid())));
  EXPECT_THAT(provider.status().message(),
              HasSubstr(absl::StrFormat("]) may not serve provider \"oem\": the config allows "
                                        "uid [%d]",
                                        getuid() + 1)));
}

TEST_F(ExternalProviderTest, AnUnknownProviderNameIsRefusedListingTheConfiguredOnes) {
  StartDaemon(OemConfig());
  auto provider = ConnectProvider("hyperv");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(provider.status().message(),
              HasSubstr("no external provider \"hyperv\" in the config; it lists oem"));
}

TEST_F(ExternalProviderTest, ClaimsThePolicyForbidsAreRefusedWithTheRule) {
  StartDaemon(OemConfig());
  auto provider = ConnectProvider();
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto outside = (*provider)->Claim(0xC4000050, 1, 0x2);
  ASSERT_TRUE(outside.ok());
  EXPECT_FALSE(outside->granted());
  EXPECT_THAT(outside->reason(), HasSubstr("the config allows 0xc3000000-0xc30000ff"));
  auto reads = (*provider)->Claim(kOem, 1, 0xe);
  ASSERT_TRUE(reads.ok());
  EXPECT_FALSE(reads->granted());
  EXPECT_THAT(reads->reason(), HasSubstr("would read x3"));
  // A refused claim leaves the stream usable.
  auto fine = (*provider)->Claim(kOem, 1, 0x2);
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(fine->granted());
}

TEST_F(ExternalProviderTest, TwoProcessesRacingForOneRangeTheSecondIsToldWhoHoldsIt) {
  StartDaemon(OemConfig());
  auto first = ConnectProvider();
  auto second = ConnectProvider();
  ASSERT_TRUE(first.ok() && second.ok());
  auto won = (*first)->Claim(kOem, 0x10, 0x6);
  auto lost = (*second)->Claim(kOem + 8, 0x10, 0x6);
  ASSERT_TRUE(won.ok() && lost.ok());
  EXPECT_TRUE(won->granted());
  EXPECT_FALSE(lost->granted());
  EXPECT_THAT(lost->reason(), HasSubstr(absl::StrFormat("which pid %d uid", getpid())));
}

TEST_F(ExternalProviderTest, AProcessGoneMidCallLeavesNoVcpuWaitingAndCanComeBack) {
  StartDaemon(OemConfig());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  {
    auto provider = ConnectProvider();
    ASSERT_TRUE(provider.ok());
    ASSERT_TRUE((*provider)->Claim(kOem, 0x10, 0x6)->granted());
    std::thread process([&] {
      ASSERT_TRUE((*provider)->NextCall().ok());
      (*provider)->Cancel();  // Dies holding the call.
    });
    const auto start = std::chrono::steady_clock::now();
    auto result = (*vm)->Call(kOem);
    process.join();
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), kNotSupported);
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(300));
  }
  EXPECT_TRUE(Logged("provider oem disconnected"));
  // It comes back and takes its range again.
  auto again = ConnectProvider();
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Claim(kOem, 0x10, 0x6)->granted());
  std::thread process([&] {
    auto call = (*again)->NextCall();
    ASSERT_TRUE(call.ok());
    (*again)->Answer(call->call().call_id(), {0});
  });
  auto result = (*vm)->Call(kOem);
  process.join();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->regs(0), 0u);
}

TEST_F(ExternalProviderTest, ASlowProcessIsCutOffAtTheDeadlineAndItsLateResultDropped) {
  StartDaemon(OemConfig());
  auto provider = ConnectProvider();
  ASSERT_TRUE(provider.ok());
  ASSERT_TRUE((*provider)->Claim(kOem, 0x10, 0x6)->granted());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok());
  uint64_t call_id = 0;
  std::thread process([&] {
    auto call = (*provider)->NextCall();
    ASSERT_TRUE(call.ok());
    call_id = call->call().call_id();
  });
  const auto start = std::chrono::steady_clock::now();
  auto result = (*vm)->Call(kOem);
  const auto waited = std::chrono::steady_clock::now() - start;
  process.join();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->regs(0), kNotSupported);
  EXPECT_GE(waited, milliseconds(290));
  EXPECT_LT(waited, milliseconds(1500));
  // Late, then twice, then a call never asked: each dropped and logged.
  (*provider)->Answer(call_id, {0});
  EXPECT_TRUE(Logged(absl::StrFormat("dropped the result for call %d", call_id)));
  (*provider)->Answer(call_id + 1000, {0});
  EXPECT_TRUE(Logged(absl::StrFormat("dropped the result for call %d", call_id + 1000)));
  v1::ListProvidersReply providers = ListProviders();
  for (const v1::ProviderInfo& info : providers.providers()) {
    if (info.name() != "oem") continue;
    EXPECT_EQ(info.external().timed_out(), 1u);
    EXPECT_EQ(info.external().stray_results(), 2u);
  }
}

TEST_F(ExternalProviderTest, VmRulesDecideWhichVmsArePlannedWithTheProvider) {
  StartDaemon(OemConfig(getuid(), R"(vm { name: "win-*" provider: "oem" provider: "trng" }
vm { name: "*" provider: "trng" })"));
  auto windows = AttachVm("win-1");
  auto linux = AttachVm("linux-1");
  ASSERT_TRUE(windows.ok() && linux.ok());
  auto providers_of = [](const TestVm& vm) {
    std::vector<std::string> names;
    for (const auto& range : vm.attached().plan().ranges()) names.push_back(range.provider());
    return names;
  };
  EXPECT_THAT(providers_of(**windows), ::testing::Contains("oem"));
  EXPECT_THAT(providers_of(**linux), ::testing::Not(::testing::Contains("oem")));
  EXPECT_THAT(providers_of(**linux), ::testing::Contains("trng"));
}

TEST_F(ExternalProviderTest, SighupReloadsWhileCallsFlowAndABadFileKeepsTheRunningConfig) {
  StartDaemon(OemConfig());
  auto provider = ConnectProvider();
  ASSERT_TRUE(provider.ok());
  ASSERT_TRUE((*provider)->Claim(kOem, 0x10, 0x6)->granted());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok());
  std::thread process([&] {
    while (true) {
      auto call = (*provider)->NextCall();
      if (!call.ok()) return;
      // Trailing zero arguments are not sent.
      const uint64_t x1 = call->call().args_size() > 0 ? call->call().args(0) : 0;
      (*provider)->Answer(call->call().call_id(), {0, x1});
    }
  });
  int failures = 0;
  auto call_some = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto result = (*vm)->Call(kOem, {static_cast<uint64_t>(i)});
      // Trailing zero registers are not sent.
      const uint64_t x1 = result.ok() && result->regs_size() > 1 ? result->regs(1) : 0;
      if (!result.ok() || result->regs(0) != 0 || x1 != static_cast<uint64_t>(i)) {
        ++failures;
        ADD_FAILURE() << "call " << i << ": "
                      << (result.ok() ? result->DebugString() : result.status().ToString());
      }
    }
  };
  call_some(50);
  // A good new config (a VM rule added): applied while the calls go on.
  WriteConfig(OemConfig(getuid(), "vm { name: \"*\" provider: \"oem\" }\n"));
  daemon_->Signal(SIGHUP);
  call_some(50);
  EXPECT_TRUE(Logged("SIGHUP: reloaded " + config_path_));
  auto trng_less = AttachVm("vm-b");
  ASSERT_TRUE(trng_less.ok());
  for (const auto& range : (*trng_less)->attached().plan().ranges()) {
    EXPECT_EQ(range.provider(), "oem");
  }
  // A bad one: refused with its line, and nothing changes.
  WriteConfig("version: 1\nprovider { name: \"oem\" }\n");
  daemon_->Signal(SIGHUP);
  EXPECT_TRUE(Logged("keeping the running config"));
  EXPECT_TRUE(Logged(config_path_ + ":2:1: provider \"oem\" says neither"));
  call_some(50);
  EXPECT_EQ(failures, 0);
  (*provider)->Cancel();
  process.join();
}

TEST_F(ExternalProviderTest, CheckConfigSaysOkOrNamesTheLine) {
  char dir[] = "/tmp/hypercall-conf-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  config_dir_ = dir;
  const std::string good = config_dir_ + "/good.conf", bad = config_dir_ + "/bad.conf";
  std::ofstream(good) << OemConfig();
  std::ofstream(bad) << "version: 1\nlimits { call_deadline_ms: 0 }\n";
  CommandResult ok = RunCommand({BinaryPath("hypercalld"), "--check-config", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr(good + ": OK"));
  CommandResult refused = RunCommand({BinaryPath("hypercalld"), "--check-config", bad});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr(bad + ":2:10: call_deadline_ms 0 is out of range"));
  // A daemon will not start on it either.
  CommandResult start = RunCommand(
      {BinaryPath("hypercalld"), "--runtime-dir", config_dir_ + "/run", "--config", bad});
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_THAT(start.err, HasSubstr("cannot start: " + bad + ":2:10"));
}

TEST_F(ExternalProviderTest, SessionsCarryTheVmmsKernelVerifiedIdentity) {
  StartDaemon(OemConfig());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok());
  auto stub = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
  grpc::ClientContext context;
  v1::ListSessionsRequest request;
  *request.mutable_hello() = wire::MakeHello("test/1");
  v1::ListSessionsReply reply;
  ASSERT_TRUE(stub->ListSessions(&context, request, &reply).ok());
  ASSERT_EQ(reply.sessions_size(), 1);
  EXPECT_EQ(reply.sessions(0).peer().pid(), static_cast<uint32_t>(getpid()));
  EXPECT_EQ(reply.sessions(0).peer().uid(), getuid());
  EXPECT_EQ(reply.sessions(0).peer().gid(), getgid());
}

}  // namespace
}  // namespace hypercall::testing
