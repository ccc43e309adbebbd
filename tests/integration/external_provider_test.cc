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
#include "support/test_vm.h"
#include "test_provider.h"
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

// An external provider "mem" whose one range passes two buffers: [0] x1 ->
// 8 bytes in, [1] x2 -> 4 bytes out.
constexpr uint32_t kMem = 0xC3001000;
std::string MemConfig() {
  return absl::StrFormat(R"(version: 1
provider {
  name: "mem"
  external { allow_uid: %d }
  range {
    first: 0xC3001000 last: 0xC3001000 reads: 1
    memory { address_register: 1 length: 8 direction: IN }
    memory { address_register: 2 length: 4 direction: OUT }
  }
}
limits { call_deadline_ms: 300 }
)",
                         getuid());
}

v1::MemoryOperand Operand(uint32_t address_register, uint32_t length,
                          v1::MemoryOperand::Direction direction) {
  v1::MemoryOperand op;
  op.set_address_register(address_register);
  op.set_length(length);
  op.set_direction(direction);
  return op;
}

std::vector<v1::MemoryOperand> MemOperands() {
  return {Operand(1, 8, v1::MemoryOperand::IN), Operand(2, 4, v1::MemoryOperand::OUT)};
}

// A call to "mem" as a VMM sends it: x1 = 0x40001000 with its 8 bytes,
// x2 = 0x40002000.
v1::Call MemCall() {
  v1::Call call;
  call.set_function_id(kMem);
  call.set_conduit(v1::CONDUIT_HVC);
  call.add_args(0x40001000);
  call.add_args(0x40002000);
  call.set_args_read_mask(0x6);
  v1::MemoryBytes* in = call.add_memory();
  in->set_operand(0);
  in->set_guest_phys_addr(0x40001000);
  in->set_length(8);
  in->set_direction(v1::MemoryOperand::IN);
  in->set_data("guestram");
  v1::MemoryBytes* out = call.add_memory();
  out->set_operand(1);
  out->set_guest_phys_addr(0x40002000);
  out->set_length(4);
  out->set_direction(v1::MemoryOperand::OUT);
  return call;
}

v1::MemoryBytes Write(uint32_t operand, std::string data) {
  v1::MemoryBytes bytes;
  bytes.set_operand(operand);
  bytes.set_data(std::move(data));
  return bytes;
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

TEST_F(ExternalProviderTest, AProviderWithMemoryOperandsGetsTheGuestBytesAndWritesBack) {
  StartDaemon(MemConfig());
  auto provider = ConnectProvider("mem");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto claim = (*provider)->Claim(kMem, 1, 0x6, MemOperands());
  ASSERT_TRUE(claim.ok()) << claim.status();
  ASSERT_TRUE(claim->granted()) << claim->reason();
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  // The plan reads x1 (`reads`) and x2 (an operand's register), with both
  // operands.
  ASSERT_EQ((*vm)->attached().plan().ranges_size(), 1);
  const v1::PlannedRange& planned = (*vm)->attached().plan().ranges(0);
  EXPECT_EQ(planned.args_read_mask(), 0x6u);
  ASSERT_EQ(planned.memory_size(), 2);
  EXPECT_EQ(planned.memory(1).address_register(), 2u);
  EXPECT_EQ(planned.memory(1).direction(), v1::MemoryOperand::OUT);

  std::thread process([&] {
    auto call = (*provider)->NextCall();
    ASSERT_TRUE(call.ok()) << call.status();
    ASSERT_EQ(call->call().memory_size(), 2);
    EXPECT_EQ(call->call().memory(0).guest_phys_addr(), 0x40001000u);
    EXPECT_EQ(call->call().memory(0).data(), "guestram");
    EXPECT_EQ(call->call().memory(1).length(), 4u);
    EXPECT_TRUE(call->call().memory(1).data().empty());
    (*provider)->Answer(call->call().call_id(), {0, 8}, {Write(1, "GRAM")});
  });
  auto result = (*vm)->Call(MemCall());
  process.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->regs(0), 0u);
  EXPECT_EQ(result->regs(1), 8u);
  ASSERT_EQ(result->memory_size(), 1);
  EXPECT_EQ(result->memory(0).operand(), 1u);
  EXPECT_EQ(result->memory(0).guest_phys_addr(), 0x40002000u);
  EXPECT_EQ(result->memory(0).length(), 4u);
  EXPECT_EQ(result->memory(0).direction(), v1::MemoryOperand::OUT);
  EXPECT_EQ(result->memory(0).data(), "GRAM");
}

TEST_F(ExternalProviderTest, AResultWritingMemoryTheCallCannotTakeIsNotSupportedAndCounted) {
  StartDaemon(MemConfig());
  auto provider = ConnectProvider("mem");
  ASSERT_TRUE(provider.ok()) << provider.status();
  ASSERT_TRUE((*provider)->Claim(kMem, 1, 0x6, MemOperands())->granted());
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const std::vector<std::vector<v1::MemoryBytes>> bad = {
      {Write(1, "12345")},             // More bytes than the buffer has.
      {Write(0, "x")},                 // An IN buffer.
      {Write(1, "a"), Write(1, "b")},  // One buffer twice.
  };
  std::thread process([&] {
    for (const std::vector<v1::MemoryBytes>& memory : bad) {
      auto call = (*provider)->NextCall();
      ASSERT_TRUE(call.ok()) << call.status();
      (*provider)->Answer(call->call().call_id(), {0, 1}, memory);
    }
  });
  for (size_t i = 0; i < bad.size(); ++i) {
    auto result = (*vm)->Call(MemCall());
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->regs(0), kNotSupported) << i;
    EXPECT_EQ(result->regs_size(), 1) << i;
    EXPECT_EQ(result->memory_size(), 0) << i;
  }
  process.join();
  EXPECT_TRUE(Logged("which has 4"));
  EXPECT_TRUE(Logged("which is an 'in' operand"));
  EXPECT_TRUE(Logged("writes memory operand 1 twice"));
  bool listed = false;
  const v1::ListProvidersReply providers = ListProviders();
  for (const v1::ProviderInfo& info : providers.providers()) {
    if (info.name() != "mem") continue;
    listed = true;
    EXPECT_EQ(info.external().bad_results(), bad.size());
    EXPECT_EQ(info.external().answered(), bad.size());
    ASSERT_EQ(info.ranges_size(), 1);
    EXPECT_EQ(info.ranges(0).memory_size(), 2);
  }
  EXPECT_TRUE(listed);
}

TEST_F(ExternalProviderTest, AClaimWhoseMemoryOperandsAreNotTheConfigsIsRefusedShowingBoth) {
  StartDaemon(MemConfig());
  auto provider = ConnectProvider("mem");
  ASSERT_TRUE(provider.ok()) << provider.status();
  std::vector<v1::MemoryOperand> longer = MemOperands();
  longer[1].set_length(8);
  auto refused = (*provider)->Claim(kMem, 1, 0x6, longer);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_FALSE(refused->granted());
  EXPECT_THAT(refused->reason(),
              HasSubstr("range 0xc3001000-0xc3001000 passes memory x1 -> 8 bytes in; x2 -> 8 "
                        "bytes out, but provider \"mem\" passes x1 -> 8 bytes in; x2 -> 4 bytes "
                        "out in range"));
  auto none = (*provider)->Claim(kMem, 1, 0x6);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->granted());
  EXPECT_THAT(none->reason(), HasSubstr("passes memory none"));
  v1::MemoryOperand no_direction = Operand(1, 8, v1::MemoryOperand::DIRECTION_UNSPECIFIED);
  auto malformed = (*provider)->Claim(kMem, 1, 0x6, {no_direction});
  ASSERT_TRUE(malformed.ok()) << malformed.status();
  EXPECT_FALSE(malformed->granted());
  EXPECT_THAT(malformed->reason(), HasSubstr("memory operand at x1 has no direction"));
  // The stream goes on: the right claim is granted.
  auto granted = (*provider)->Claim(kMem, 1, 0x6, MemOperands());
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_TRUE(granted->granted()) << granted->reason();
}

TEST_F(ExternalProviderTest, AReloadChangingMemoryOperandsAppliesThemToClaimsAndPlans) {
  StartDaemon(MemConfig());
  std::string changed = MemConfig();
  const std::string out4 = "address_register: 2 length: 4 direction: OUT";
  changed.replace(changed.find(out4), out4.size(), "address_register: 2 length: 16 direction: OUT");
  WriteConfig(changed);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Logged("SIGHUP: reloaded " + config_path_));
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  ASSERT_EQ((*vm)->attached().plan().ranges_size(), 1);
  EXPECT_EQ((*vm)->attached().plan().ranges(0).memory(1).length(), 16u);
  auto provider = ConnectProvider("mem");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto old = (*provider)->Claim(kMem, 1, 0x6, MemOperands());
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_FALSE(old->granted());
  std::vector<v1::MemoryOperand> now = MemOperands();
  now[1].set_length(16);
  auto granted = (*provider)->Claim(kMem, 1, 0x6, now);
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_TRUE(granted->granted()) << granted->reason();
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
  EXPECT_THAT(outside->reason(),
              HasSubstr("range 0xc4000050-0xc4000050 is outside what provider \"oem\" may claim "
                        "(0xc3000000-0xc30000ff)"));
  auto reads = (*provider)->Claim(kOem, 1, 0xe);
  ASSERT_TRUE(reads.ok());
  EXPECT_FALSE(reads->granted());
  EXPECT_THAT(reads->reason(), HasSubstr("reads x3, but provider \"oem\" may read only"));
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
  EXPECT_THAT(lost->reason(), HasSubstr(absl::StrFormat("served by pid %d uid", getpid())));
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

// A VM detaching is told, once and by name, to the process serving a
// provider of its plan; one whose plan leaves the provider out is not.
TEST_F(ExternalProviderTest, AProcessHearsOnceWhenAVmPlannedWithItsProviderDetaches) {
  StartDaemon(OemConfig(getuid(), R"(vm { name: "win-*" provider: "oem" provider: "trng" }
vm { name: "*" provider: "trng" })"));
  auto provider = ConnectProvider();
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto claim = (*provider)->Claim(kOem, 0x10, 0x6);
  ASSERT_TRUE(claim.ok() && claim->granted()) << claim.status();

  for (const char* name : {"linux-1", "win-1"}) {
    auto vm = AttachVm(name);
    ASSERT_TRUE(vm.ok()) << name << ": " << vm.status();
  }
  auto notice = (*provider)->NextVmDetached();
  ASSERT_TRUE(notice.ok()) << notice.status();
  EXPECT_EQ(notice->vm(), "win-1");
  // The next notice is the next VM's: win-1's came once and linux-1's never.
  ASSERT_TRUE(AttachVm("win-2").ok());
  notice = (*provider)->NextVmDetached();
  ASSERT_TRUE(notice.ok()) << notice.status();
  EXPECT_EQ(notice->vm(), "win-2");
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

TEST_F(ExternalProviderTest, AReloadEndsTheStreamsOfProvidersItRemovesOrChanges) {
  StartDaemon(OemConfig());
  auto kept = ConnectProvider("oem");
  ASSERT_TRUE(kept.ok()) << kept.status();
  auto claim = (*kept)->Claim(0xC3000000, 16, 0x6);
  ASSERT_TRUE(claim.ok() && claim->granted()) << claim.status();

  // The same provider block again: the stream goes on serving.
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Logged("SIGHUP: reloaded " + config_path_));
  auto vm = AttachVm("vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  std::thread answer([&] {
    auto call = (*kept)->NextCall();
    if (call.ok()) (*kept)->Answer(call->call().call_id(), {0, 7});
  });
  auto result = (*vm)->Call(0xC3000001, {1});
  answer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->regs(1), 7u);

  // Other ranges: the provider is changed, and its process is told to
  // connect again.
  std::string changed = OemConfig();
  changed.replace(changed.find("0xC30000FF"), 10, "0xC300007F");
  WriteConfig(changed);
  daemon_->Signal(SIGHUP);
  auto ended = (*kept)->NextCall();
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(ended.status().message(),
              HasSubstr("a config reload changed provider \"oem\": connect again"));
  auto again = ConnectProvider("oem");
  ASSERT_TRUE(again.ok()) << again.status();
  auto reclaim = (*again)->Claim(0xC3000000, 16, 0x6);
  ASSERT_TRUE(reclaim.ok() && reclaim->granted()) << reclaim.status();

  // No "oem" any more: its process is told so.
  WriteConfig("version: 1\nprovider { name: \"trng\" builtin {} }\n");
  daemon_->Signal(SIGHUP);
  auto removed = (*again)->NextCall();
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(removed.status().message(), HasSubstr("a config reload removed provider \"oem\""));
  EXPECT_EQ(ConnectProvider("oem").status().code(), absl::StatusCode::kNotFound);
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
