// The shim against the real hypercalld: attach, the plan, and calls through
// simulated and (fake-kernel) KVM vCPUs, with register accesses counted.
#include <bit>
#include <thread>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "hypercall/shim/kvm_arm64_uapi.h"
#include "hypercall/shim/kvm_arm64_vcpu.h"
#include "hypercall/shim/kvm_smccc_filter.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/known_calls.h"
#include "support/shim_test_fixture.h"
#include "wait_until.h"

namespace hypercall::shim::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kNotSupported64 = ~uint64_t{0};
constexpr uint64_t kNotSupported32 = 0xffffffffu;

// Calls `fid` with `args` on vCPU 0 and returns the outcome.
CallOutcome Call(Shim& shim, SimulatedVcpu& vcpu, uint32_t fid,
                 std::initializer_list<uint64_t> args = {},
                 smccc::Conduit conduit = smccc::Conduit::kHvc) {
  vcpu.Issue(fid, args, conduit);
  absl::StatusOr<CallOutcome> outcome = shim.HandleHypercall(0, vcpu);
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : CallOutcome{};
}

using ShimCallsTest = ShimWithDaemonTest;

TEST_F(ShimCallsTest, AttachYieldsAPlanWithTheTrngRangesReadingX1) {
  auto shim = ConnectOrDie("plan-vm");
  ASSERT_NE(shim, nullptr);
  EXPECT_TRUE(shim->connected());
  EXPECT_EQ(shim->attach_count(), 1u);
  for (uint32_t fid : {smccc::kTrngVersion, smccc::kTrngRnd32, smccc::kTrngRnd64}) {
    const PlannedRange* range = shim->plan().Find(fid);
    ASSERT_NE(range, nullptr) << std::hex << fid;
    EXPECT_FALSE(range->provider.empty());
    EXPECT_EQ(shim->plan().ArgsToRead(fid), 0x2u) << std::hex << fid;
  }
}

TEST_F(ShimCallsTest, ThePlanInstallsInKvmAsOneFilterRangePerPlannedRange) {
  auto shim = ConnectOrDie("install-vm");
  ASSERT_NE(shim, nullptr);
  FakeKvm kernel;
  ASSERT_TRUE(KvmSmcccFilter(3, kernel).Install(shim->plan()).ok());
  const auto sets = kernel.Only(kvm::kSetDeviceAttr);
  ASSERT_EQ(sets.size(), shim->plan().ranges().size());
  for (size_t i = 0; i < sets.size(); ++i) {
    EXPECT_EQ(sets[i].filter->base, shim->plan().ranges()[i].first);
    EXPECT_EQ(sets[i].filter->nr_functions, shim->plan().ranges()[i].count);
    EXPECT_EQ(sets[i].filter->action, kvm::kSmcccFilterFwdToUser);
  }
}

TEST_F(ShimCallsTest, TrngVersionIsBrokered) {
  auto shim = ConnectOrDie("version-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  CallOutcome out = Call(*shim, vcpu, smccc::kTrngVersion);
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0x10000u);
  EXPECT_EQ(out.registers.reads, 1u) << "the TRNG range reads x1";
  EXPECT_EQ(out.registers.writes, static_cast<uint64_t>(std::popcount(out.result.written_mask)));
}

TEST_F(ShimCallsTest, Rnd64ReadsOneRegisterWritesFourAndLeavesTheRest) {
  auto shim = ConnectOrDie("rnd64-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  for (int i = 4; i < smccc::kNumRegisters; ++i) vcpu.set_x(i, 0x5e5e0000 + i);
  CallOutcome out = Call(*shim, vcpu, smccc::kTrngRnd64, {192});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0u);
  EXPECT_EQ(out.registers.reads, 1u);
  EXPECT_EQ(out.registers.writes, 4u);
  EXPECT_EQ(out.result.written_mask, 0xfu);
  EXPECT_EQ(vcpu.access_counts().reads, 1u);
  EXPECT_EQ(vcpu.access_counts().writes, 4u);
  // 192 random bits: all three registers zero has probability 2^-192.
  EXPECT_NE(vcpu.x(1) | vcpu.x(2) | vcpu.x(3), 0u);
  for (int i = 4; i < smccc::kNumRegisters; ++i) {
    EXPECT_EQ(vcpu.x(i), 0x5e5e0000u + i) << "x" << i << " is not the call's to write";
  }
  const VcpuStats stats = shim->vcpu_stats(0);
  EXPECT_EQ(stats.calls, 1u);
  EXPECT_EQ(stats.brokered, 1u);
  EXPECT_EQ(stats.register_reads, 1u);
  EXPECT_EQ(stats.register_writes, 4u);
}

TEST_F(ShimCallsTest, Rnd64OfFewBitsLeavesTheHighRegistersZero) {
  auto shim = ConnectOrDie("rnd64-few-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  CallOutcome out = Call(*shim, vcpu, smccc::kTrngRnd64, {8});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0u);
  EXPECT_EQ(vcpu.x(1), 0u);
  EXPECT_EQ(vcpu.x(2), 0u);
  EXPECT_LT(vcpu.x(3), 256u);
}

TEST_F(ShimCallsTest, Smc32CallsIgnoreTheUpperHalvesOfArguments) {
  auto shim = ConnectOrDie("rnd32-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  // w1 = 96 bits; the upper half of x1 is not the callee's to read.
  CallOutcome out = Call(*shim, vcpu, smccc::kTrngRnd32, {0xffffffff00000060ull});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_LE(vcpu.x(i), 0xffffffffu) << "w" << i;
}

TEST_F(ShimCallsTest, UnplannedIdsAnswerNotSupportedLocally) {
  auto shim = ConnectOrDie("unplanned-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  vcpu.set_x(1, 0x1111);
  CallOutcome out = Call(*shim, vcpu, 0xc2000001);
  EXPECT_EQ(out.disposition, Disposition::kNotPlanned);
  EXPECT_EQ(vcpu.x(0), kNotSupported64);
  EXPECT_EQ(vcpu.x(1), 0x1111u);
  EXPECT_EQ(out.registers.reads, 0u);
  EXPECT_EQ(out.registers.writes, 1u);

  // SMC32: w-register semantics, x0 = 0x00000000ffffffff.
  out = Call(*shim, vcpu, 0x82000001, {}, smccc::Conduit::kSmc);
  EXPECT_EQ(out.disposition, Disposition::kNotPlanned);
  EXPECT_EQ(vcpu.x(0), kNotSupported32);
  EXPECT_EQ(shim->vcpu_stats(0).not_planned, 2u);
}

TEST_F(ShimCallsTest, TheSveHintDoesNotChangeTheRoute) {
  auto shim = ConnectOrDie("sve-vm");
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  CallOutcome out = Call(*shim, vcpu, smccc::kTrngRnd64 | 0x10000, {64});
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu.x(0), 0u);
}

TEST_F(ShimCallsTest, KvmBackendMakesOneIoctlPerPlannedArgumentAndWrittenResult) {
  auto shim = ConnectOrDie("kvm-vm");
  ASSERT_NE(shim, nullptr);
  FakeKvm kernel;
  kernel.registers[kvm::CoreRegisterId(1)] = 128;  // x1: bits wanted
  FakeRunPage run(smccc::kTrngRnd64, kvm::kHypercallExitSmc);
  KvmArm64Vcpu vcpu(/*vcpu_fd=*/9, run.bytes, kernel);
  absl::StatusOr<CallOutcome> out = shim->HandleHypercall(0, vcpu);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->disposition, Disposition::kBrokered) << out->detail;

  const auto gets = kernel.Only(kvm::kGetOneReg);
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].fd, 9);
  EXPECT_EQ(gets[0].reg_id, kvm::CoreRegisterId(1));
  const auto sets = kernel.Only(kvm::kSetOneReg);
  ASSERT_EQ(sets.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(sets[i].reg_id, kvm::CoreRegisterId(i));
    EXPECT_EQ(sets[i].value, out->result.x[i]);
  }
  EXPECT_EQ(kernel.registers[kvm::CoreRegisterId(0)], 0u);
  EXPECT_EQ(kernel.registers[kvm::CoreRegisterId(1)], 0u) << "128 bits leave x1 zero";
  EXPECT_EQ(kernel.requests.size(), 5u);
}

TEST_F(ShimCallsTest, KvmRegisterFailureIsReportedAndX0StillAnswered) {
  auto shim = ConnectOrDie("kvm-fail-vm");
  ASSERT_NE(shim, nullptr);
  FakeKvm kernel;
  kernel.FailAll(kvm::kGetOneReg, EFAULT);
  FakeRunPage run(smccc::kTrngRnd64, 0);
  KvmArm64Vcpu vcpu(9, run.bytes, kernel);
  absl::StatusOr<CallOutcome> out = shim->HandleHypercall(0, vcpu);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("KVM_GET_ONE_REG(x1)"));
  EXPECT_EQ(kernel.registers[kvm::CoreRegisterId(0)], kNotSupported64);
}

TEST_F(ShimCallsTest, VcpusCallConcurrentlyEachOnItsOwnStream) {
  constexpr int kVcpus = 4;
  constexpr int kCalls = 200;
  auto shim = ConnectOrDie("smp-vm", kVcpus);
  ASSERT_NE(shim, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (uint32_t v = 0; v < kVcpus; ++v) {
    threads.emplace_back([&, v] {
      SimulatedVcpu vcpu;
      for (int i = 0; i < kCalls; ++i) {
        vcpu.Issue(smccc::kTrngRnd64, {192});
        absl::StatusOr<CallOutcome> out = shim->HandleHypercall(v, vcpu);
        if (!out.ok() || out->disposition != Disposition::kBrokered || vcpu.x(0) != 0) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  for (uint32_t v = 0; v < kVcpus; ++v) {
    const VcpuStats stats = shim->vcpu_stats(v);
    EXPECT_EQ(stats.calls, uint64_t{kCalls}) << "vCPU " << v;
    EXPECT_EQ(stats.brokered, uint64_t{kCalls}) << "vCPU " << v;
    EXPECT_EQ(stats.register_reads, uint64_t{kCalls});
    EXPECT_EQ(stats.register_writes, 4u * kCalls);
  }
}

TEST_F(ShimCallsTest, VcpuIndexOutsideTheVmIsRefused) {
  auto shim = ConnectOrDie("small-vm", 2);
  ASSERT_NE(shim, nullptr);
  SimulatedVcpu vcpu;
  vcpu.Issue(smccc::kTrngVersion);
  absl::StatusOr<CallOutcome> out = shim->HandleHypercall(2, vcpu);
  EXPECT_TRUE(absl::IsInvalidArgument(out.status())) << out.status();
  EXPECT_EQ(vcpu.access_counts().reads + vcpu.access_counts().writes, 0u);
}

TEST_F(ShimCallsTest, AttachRefusalsCarryTheDaemonsReason) {
  auto bad = Shim::Connect(Vm("not a valid name!"), Options());
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("name"));

  auto first = ConnectOrDie("twin");
  ASSERT_NE(first, nullptr);
  auto second = Shim::Connect(Vm("twin"), Options());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsAlreadyExists(second.status())) << second.status();
}

TEST_F(ShimCallsTest, ClosingAVmFreesItsName) {
  ASSERT_NE(ConnectOrDie("reused"), nullptr);
  // The daemon notices the closed session asynchronously.
  std::unique_ptr<Shim> again;
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto shim = Shim::Connect(Vm("reused"), Options());
        if (shim.ok()) again = *std::move(shim);
        return again != nullptr;
      },
      5000));
}

}  // namespace
}  // namespace hypercall::shim::testing
