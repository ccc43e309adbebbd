// Built-in providers served by hypercall-provider-host processes against the
// real daemon: pvtime (the calling vCPU's stolen-time record), kvm_discover
// (options given with --options) and hyperv (guest memory operands with
// conditions, options too), each an external provider whose config block is
// the host's own --print-config, driven through the shim. Every call also
// goes to a reference daemon running the same providers built in, with the
// same registers and guest RAM: the disposition, every register and every
// byte of RAM must come out the same, and be what the in-daemon tests
// expect; a VM detaching is forgotten by the hosted hyperv as built in. At
// the end each host exits 0 on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "support/daemon_process.h"
#include "support/hyperv_calls.h"
#include "support/provider_process.h"
#include "support/shim_test_fixture.h"

namespace hypercall::shim::testing {
namespace {

using hypercall::testing::BinaryPath;
using hypercall::testing::CommandResult;
using hypercall::testing::DaemonProcess;
using hypercall::testing::ProviderProcess;
using hypercall::testing::RunCommand;

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kInPage = kRamBase + 0x1000;
constexpr uint64_t kOutPage = kRamBase + 0x2000;
constexpr uint64_t kSetPage = kRamBase + 0x3000;
constexpr uint64_t kStolenTimeBase = 0x090a0000;
constexpr uint8_t kFill = 0xa5;
constexpr uint64_t kNotSupported = ~uint64_t{0};
constexpr uint64_t kInvalidParameter = ~uint64_t{0} - 2;

constexpr uint32_t kPvTimeFeatures = 0xc5000020;
constexpr uint32_t kPvTimeSt = 0xc5000021;
constexpr uint32_t kImplVer = 0xc6000040;
constexpr uint32_t kImplCpus = 0xc6000041;
namespace hv = ::hypercall::testing::hyperv;
// HYPERVISOR_VERSION's low half with kHypervOptions: 10.1, build 26100.
constexpr uint64_t kVersionLow = 0x000a0001000065f4;

// A built-in served by a host: its options (the host's --options, and the
// text of the builtin block's [options/NAME] { ... }) and a call it answers other than
// NOT_SUPPORTED once it is served.
struct Hosted {
  const char* provider;
  const char* options;
  uint32_t ready_fid;
  uint64_t ready_x1;
};

const Hosted kHosted[] = {
    {"pvtime", "", kPvTimeFeatures, kPvTimeSt},
    {"kvm_discover",
     "version: 0x10000 implementation { midr: 0x410fd0c1 revidr: 0x1 } "
     "implementation { midr: 0x481fd010 aidr: 0x551 }",
     kImplVer, 0},
    {"hyperv", "major_version: 10 minor_version: 1 build_number: 26100", hv::kCallUid, 0},
};

// One VM: its guest RAM, the shim attached to one daemon, the vCPU calls are
// issued on.
struct GuestVm {
  std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize, kFill);
  std::optional<MappedGuestMemory> memory;
  std::unique_ptr<Shim> shim;
  SimulatedVcpu vcpu;
};

class ProviderHostTest : public ShimWithDaemonTest {
 protected:
  std::vector<std::string> DaemonArgs() const override {
    return {"--config", dir_ + "/hosted.conf"};
  }

  void SetUp() override {
    char dir[] = "/tmp/hypercall-provider-host-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    std::string hosted_config = "version: 1\n";
    std::string builtin_config = "version: 1\n";
    for (const Hosted& hosted : kHosted) {
      const CommandResult printed =
          RunCommand({BinaryPath("hypercall-provider-host"), "--provider", hosted.provider,
                      "--options", hosted.options, "--print-config"});
      ASSERT_EQ(printed.exit_code, 0) << printed.err;
      absl::StrAppend(&hosted_config, printed.out);
      const std::string block =
          *hosted.options == '\0'
              ? std::string()
              : absl::StrFormat("[options/%s] { %s }", hosted.provider, hosted.options);
      absl::StrAppend(&builtin_config, absl::StrFormat("provider { name: \"%s\" builtin { %s } }\n",
                                                       hosted.provider, block));
    }
    std::ofstream(dir_ + "/hosted.conf") << hosted_config;
    std::ofstream(dir_ + "/builtin.conf") << builtin_config;

    ShimWithDaemonTest::SetUp();  // The daemon the hosts serve.
    if (HasFatalFailure()) return;
    auto reference = DaemonProcess::Start({"--config", dir_ + "/builtin.conf"});
    ASSERT_TRUE(reference.ok()) << reference.status();
    reference_ = *std::move(reference);
    for (const Hosted& hosted : kHosted) {
      ProviderProcess::Options options;
      options.argv = {BinaryPath("hypercall-provider-host"),
                      "--provider",
                      hosted.provider,
                      "--options",
                      hosted.options,
                      "--runtime-dir",
                      daemon_->runtime_dir()};
      options.log_path = absl::StrCat(dir_, "/", hosted.provider, ".log");
      auto host = ProviderProcess::Start(options);
      ASSERT_TRUE(host.ok()) << host.status();
      hosts_.push_back(*std::move(host));
    }

    Attach(hosted_, daemon_->runtime_dir());
    Attach(builtin_, reference_->runtime_dir());
    if (HasFatalFailure()) return;
    for (const Hosted& hosted : kHosted) WaitUntilServed(hosted);
  }

  void TearDown() override {
    for (const std::unique_ptr<ProviderProcess>& host : hosts_) {
      host->Signal(SIGTERM);
      const std::optional<int> status = host->Wait(10000);
      ASSERT_TRUE(status.has_value()) << "a host ignored SIGTERM:\n" << host->Log();
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << ":\n"
                                                                   << host->Log();
    }
    std::filesystem::remove_all(dir_);
  }

  // Attaches `vm` (2 vCPUs, its RAM, a stolen-time region) to the daemon
  // in `runtime_dir`, detaching it first if it is attached (its name is
  // free again once the daemon has ended the old session).
  void Attach(GuestVm& vm, const std::string& runtime_dir) {
    vm.shim.reset();
    auto memory = MappedGuestMemory::Create({{kRamBase, kRamSize, vm.ram.data()}});
    ASSERT_TRUE(memory.ok()) << memory.status();
    vm.memory.emplace(*std::move(memory));
    VmDescription description = Vm("hosted-vm", 2);
    description.ram = {{kRamBase, kRamSize}};
    description.stolen_time = {kStolenTimeBase, 2 * kStolenTimeRecordSize};
    ShimOptions options = Options();
    options.runtime_dir = runtime_dir;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto shim = Shim::Connect(description, options, &*vm.memory);
    while (shim.status().code() == absl::StatusCode::kAlreadyExists &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      shim = Shim::Connect(description, options, &*vm.memory);
    }
    ASSERT_TRUE(shim.ok()) << shim.status();
    vm.shim = *std::move(shim);
  }

  // Issues `fid` with `args` on vCPU `vcpu`, every other register marked.
  static CallOutcome Issue(GuestVm& vm, uint32_t vcpu, uint32_t fid,
                           std::initializer_list<uint64_t> args) {
    IssueMarked(vm.vcpu, fid, args);
    absl::StatusOr<CallOutcome> outcome = vm.shim->HandleHypercall(vcpu, vm.vcpu);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *outcome : CallOutcome{};
  }

  // Calls the host's ready call until it is answered (the host may still be
  // connecting; until then the daemon answers NOT_SUPPORTED, which an SMC32
  // call such as hyperv's CALL_UID sees as 0xffffffff).
  void WaitUntilServed(const Hosted& hosted) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Issue(hosted_, 0, hosted.ready_fid, {hosted.ready_x1}).disposition !=
               Disposition::kBrokered ||
           static_cast<uint32_t>(hosted_.vcpu.x(0)) == static_cast<uint32_t>(kNotSupported)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << hosted.provider << " was never served:\n"
          << hosts_[&hosted - kHosted]->Log() << "\ndaemon log:\n"
          << daemon_->Log();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Issues the call on both VMs and expects the same disposition, registers
  // and guest RAM from both; returns the hosted VM's disposition.
  Disposition Call(uint32_t vcpu, uint32_t fid, std::initializer_list<uint64_t> args) {
    const Disposition hosted = Issue(hosted_, vcpu, fid, args).disposition;
    const Disposition builtin = Issue(builtin_, vcpu, fid, args).disposition;
    EXPECT_EQ(hosted, builtin) << std::hex << "0x" << fid;
    for (int i = 0; i < smccc::kNumRegisters; ++i) {
      EXPECT_EQ(hosted_.vcpu.x(i), builtin_.vcpu.x(i)) << std::hex << "x" << i << " of 0x" << fid;
    }
    EXPECT_TRUE(hosted_.ram == builtin_.ram) << std::hex << "guest RAM differs after 0x" << fid;
    return hosted;
  }

  // The hosted VM's register xi after the last call.
  uint64_t X(int i) const { return hosted_.vcpu.x(i); }

  // Stores `value`'s low `size` bytes at `gpa` in both VMs' RAM.
  void Put(uint64_t gpa, uint64_t value, int size) {
    for (GuestVm* vm : {&hosted_, &builtin_}) {
      for (int i = 0; i < size; ++i) {
        vm->ram[gpa - kRamBase + i] = static_cast<uint8_t>(value >> (8 * i));
      }
    }
  }
  uint64_t Load(uint64_t gpa) const {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{hosted_.ram[gpa - kRamBase + i]} << (8 * i);
    return value;
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> reference_;
  std::vector<std::unique_ptr<ProviderProcess>> hosts_;
  GuestVm hosted_;
  GuestVm builtin_;
};

TEST_F(ProviderHostTest, PvTimeAnswersTheCallingVcpusStolenTimeRecord) {
  ASSERT_EQ(Call(1, kPvTimeFeatures, {kPvTimeSt}), Disposition::kBrokered);
  EXPECT_EQ(X(0), 0u);
  ASSERT_EQ(Call(0, kPvTimeSt, {}), Disposition::kBrokered);
  EXPECT_EQ(X(0), kStolenTimeBase);
  ASSERT_EQ(Call(1, kPvTimeSt, {}), Disposition::kBrokered);
  EXPECT_EQ(X(0), kStolenTimeBase + kStolenTimeRecordSize);
  ASSERT_EQ(Call(0, kPvTimeFeatures, {0xc5000022}), Disposition::kBrokered);
  EXPECT_EQ(X(0), kNotSupported);
}

TEST_F(ProviderHostTest, KvmDiscoverAnswersTheImplementationsOfItsOptions) {
  ASSERT_EQ(Call(0, kImplVer, {0}), Disposition::kBrokered);
  EXPECT_EQ(X(0), 0u);
  EXPECT_EQ(X(1), 0x10000u);
  EXPECT_EQ(X(2), 2u);
  EXPECT_EQ(X(3), 0u);
  EXPECT_EQ(X(4), kUntouched + 4);

  const uint64_t expected[2][3] = {{0x410fd0c1, 0x1, 0x0}, {0x481fd010, 0x0, 0x551}};
  for (uint64_t i = 0; i < 2; ++i) {
    ASSERT_EQ(Call(1, kImplCpus, {i, 0, 0}), Disposition::kBrokered);
    EXPECT_EQ(X(0), 0u) << i;
    EXPECT_EQ(X(1), expected[i][0]) << i;
    EXPECT_EQ(X(2), expected[i][1]) << i;
    EXPECT_EQ(X(3), expected[i][2]) << i;
  }
  ASSERT_EQ(Call(0, kImplCpus, {2, 0, 0}), Disposition::kBrokered);
  EXPECT_EQ(X(0), kInvalidParameter);
  EXPECT_EQ(X(1), 2u);
}

TEST_F(ProviderHostTest, HypervAnswersFastAndSlowCallsThroughGuestRam) {
  ASSERT_EQ(Call(0, hv::kCallUid, {}), Disposition::kBrokered);
  EXPECT_EQ(X(0), 0x4d32ba58u);
  EXPECT_EQ(X(3), 0x16597024u);

  ASSERT_EQ(Call(1, hv::kHvCall,
                 {0x51 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId, 0,
                  0x1234}),
            Disposition::kBrokered);
  EXPECT_EQ(X(0), hv::kRep1);

  // A slow GetVpRegisters: the input page names four registers from rep 1
  // on, the output page gets their values.
  Put(kInPage, hv::kPartitionSelf, 8);
  Put(kInPage + 8, hv::kVpSelf, 4);
  Put(kInPage + 12, 0, 4);
  const uint32_t names[] = {0xdead, hv::kVpIndex, hv::kGuestOsId, hv::kHypervisorVersion};
  for (int i = 0; i < 4; ++i) Put(kInPage + 16 + 4 * i, names[i], 4);
  ASSERT_EQ(Call(1, hv::kHvCall, {0x50 | uint64_t{4} << 32 | uint64_t{1} << 48, kInPage, kOutPage}),
            Disposition::kBrokered);
  EXPECT_EQ(X(0), uint64_t{4} << 32);
  EXPECT_EQ(Load(kOutPage), 0u);
  EXPECT_EQ(Load(kOutPage + 16), 1u);  // VP_INDEX of vCPU 1.
  EXPECT_EQ(Load(kOutPage + 32), 0x1234u);
  EXPECT_EQ(Load(kOutPage + 48), kVersionLow);
  EXPECT_EQ(Load(kOutPage + 64), uint64_t{0xa5a5a5a5a5a5a5a5});  // Past the four values.

  // A slow SetVpRegisters passes only the input page; a fast Get reads back.
  Put(kSetPage, hv::kPartitionSelf, 8);
  Put(kSetPage + 8, hv::kVpSelf, 8);
  Put(kSetPage + 16, hv::kGuestOsId, 16);
  Put(kSetPage + 32, 0x5678, 8);
  Put(kSetPage + 40, 0, 8);
  ASSERT_EQ(Call(0, hv::kHvCall, {0x51 | hv::kRep1, kSetPage, 0}), Disposition::kBrokered);
  EXPECT_EQ(X(0), hv::kRep1);
  ASSERT_EQ(Call(0, hv::kHvCall,
                 {0x50 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId}),
            Disposition::kBrokered);
  EXPECT_EQ(X(6), 0x5678u);

  // An output page past the end of RAM: the operand's bad-address answer.
  EXPECT_EQ(Call(0, hv::kHvCall, {0x50 | hv::kRep1, kInPage, kRamBase + kRamSize - 0x800}),
            Disposition::kBadAddress);
  EXPECT_EQ(X(0), 5u);
}

// The host hears that the VM detached and hyperv drops its registers, as
// built in: the VM attaching again under the same name reads GUEST_OS_ID 0.
TEST_F(ProviderHostTest, HypervForgetsADetachedVmAsBuiltIn) {
  const uint64_t kSet = 0x51 | hv::kFast | hv::kRep1;
  const uint64_t kGet = 0x50 | hv::kFast | hv::kRep1;
  ASSERT_EQ(
      Call(0, hv::kHvCall, {kSet, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId, 0, 0x1234}),
      Disposition::kBrokered);
  ASSERT_EQ(Call(0, hv::kHvCall, {kGet, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId}),
            Disposition::kBrokered);
  EXPECT_EQ(X(6), 0x1234u);

  Attach(hosted_, daemon_->runtime_dir());
  Attach(builtin_, reference_->runtime_dir());
  if (HasFatalFailure()) return;
  // The daemon frees the name just before it sends the notice, so the first
  // call may still see the old registers; the notice must come all the same.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (Issue(hosted_, 0, hv::kHvCall, {kGet, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId})
                 .disposition == Disposition::kBrokered &&
         X(6) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Call(0, hv::kHvCall, {kGet, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId}),
            Disposition::kBrokered);
  EXPECT_EQ(X(0), hv::kRep1);
  EXPECT_EQ(X(6), 0u);
  EXPECT_EQ(X(7), 0u);
}

}  // namespace
}  // namespace hypercall::shim::testing
