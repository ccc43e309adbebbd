// Guest memory operands end to end: the shim, with guest RAM made of two
// std::vector regions, against the real hypercalld and its probe provider's
// memory functions (MEM_REVERSE 3, MEM_XOR 4, MEM_WHEN 5, SMC64 and SMC32),
// every byte and register checked.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/kvm_arm64_uapi.h"
#include "hypercall/shim/kvm_arm64_vcpu.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "support/shim_test_fixture.h"

namespace hypercall::shim::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kMemReverse64 = 0xc3000003;
constexpr uint32_t kMemXor64 = 0xc3000004;
constexpr uint32_t kMemWhen64 = 0xc3000005;
constexpr uint32_t kMemReverse32 = 0x83000003;
constexpr uint32_t kMemXor32 = 0x83000004;
constexpr uint32_t kMemWhen32 = 0x83000005;

constexpr uint64_t kInvalidParameter64 = static_cast<uint64_t>(-3);
constexpr uint32_t kInvalidParameter32 = 0xfffffffd;

// Two RAM regions adjacent in guest-physical space, backed separately.
constexpr uint64_t kRamA = 0x40000000;
constexpr uint64_t kRamB = 0x40010000;
constexpr uint64_t kRegionSize = 0x10000;
constexpr uint64_t kRamEnd = kRamB + kRegionSize;
constexpr uint8_t kFillA = 0xa5;
constexpr uint8_t kFillB = 0xb6;

class ShimMemoryCallsTest : public ShimWithDaemonTest {
 protected:
  ShimMemoryCallsTest() : ram_a_(kRegionSize, kFillA), ram_b_(kRegionSize, kFillB) {}

  std::vector<std::string> DaemonArgs() const override { return {"--providers", "trng,probe"}; }

  void SetUp() override {
    ShimWithDaemonTest::SetUp();
    if (HasFatalFailure()) return;
    auto memory = MappedGuestMemory::Create(
        {{kRamA, kRegionSize, ram_a_.data()}, {kRamB, kRegionSize, ram_b_.data()}});
    ASSERT_TRUE(memory.ok()) << memory.status();
    memory_.emplace(*std::move(memory));
    shim_ = ConnectOrDie(MemoryVm("memory-vm"), &*memory_);
    ASSERT_NE(shim_, nullptr);
    for (int i = 3; i < smccc::kNumRegisters; ++i) vcpu_.set_x(i, kUntouched + i);
  }

  static VmDescription MemoryVm(const std::string& name, uint32_t vcpus = 1) {
    VmDescription vm = Vm(name, vcpus);
    vm.ram = {{kRamA, kRegionSize}, {kRamB, kRegionSize}};
    return vm;
  }

  CallOutcome Call(uint32_t fid, uint64_t x1, uint64_t x2) {
    vcpu_.Issue(fid, {x1, x2}, smccc::Conduit::kSmc);
    absl::StatusOr<CallOutcome> outcome = shim_->HandleHypercall(0, vcpu_);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *outcome : CallOutcome{};
  }

  std::vector<uint8_t>& Region(uint64_t gpa) { return gpa >= kRamB ? ram_b_ : ram_a_; }
  uint64_t Base(uint64_t gpa) const { return gpa >= kRamB ? kRamB : kRamA; }
  std::vector<uint8_t> Ram(uint64_t gpa, size_t n) {
    auto first = Region(gpa).begin() + static_cast<ptrdiff_t>(gpa - Base(gpa));
    return std::vector<uint8_t>(first, first + static_cast<ptrdiff_t>(n));
  }
  void SetRam(uint64_t gpa, const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(),
              Region(gpa).begin() + static_cast<ptrdiff_t>(gpa - Base(gpa)));
  }
  // Every byte of RAM holds its fill, except [gpa, gpa + n) when given.
  ::testing::AssertionResult RamUntouchedOutside(uint64_t gpa = 0, size_t n = 0) {
    for (uint64_t base : {kRamA, kRamB}) {
      const std::vector<uint8_t>& region = Region(base);
      const uint8_t fill = base == kRamA ? kFillA : kFillB;
      for (uint64_t i = 0; i < kRegionSize; ++i) {
        const uint64_t at = base + i;
        if (at >= gpa && at - gpa < n) continue;
        if (region[i] != fill) {
          return ::testing::AssertionFailure()
                 << "guest RAM at 0x" << std::hex << at << " changed to 0x" << int{region[i]};
        }
      }
    }
    return ::testing::AssertionSuccess();
  }
  // x3..x17 still hold what the test put there.
  ::testing::AssertionResult HighRegistersUntouched() {
    for (int i = 3; i < smccc::kNumRegisters; ++i) {
      if (vcpu_.x(i) != kUntouched + i) {
        return ::testing::AssertionFailure() << "x" << i << " = 0x" << std::hex << vcpu_.x(i);
      }
    }
    return ::testing::AssertionSuccess();
  }

  std::vector<uint8_t> ram_a_, ram_b_;
  std::optional<MappedGuestMemory> memory_;
  std::unique_ptr<Shim> shim_;
  SimulatedVcpu vcpu_;
};

// 64 bytes: 1, 2, ..., 64 plus `offset`, with zeros where `zeros` says.
std::vector<uint8_t> Input(uint8_t offset, std::initializer_list<size_t> zeros = {}) {
  std::vector<uint8_t> bytes(64);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i + 1 + offset);
  for (size_t z : zeros) bytes[z] = 0;
  return bytes;
}

uint64_t Sum(const std::vector<uint8_t>& bytes) {
  return std::accumulate(bytes.begin(), bytes.end(), uint64_t{0});
}

TEST_F(ShimMemoryCallsTest, ThePlanCarriesTheProbesOperands) {
  using enum smccc::MemoryDirection;
  for (uint32_t base : {0xc3000000u, 0x83000000u}) {
    const PlannedRange* reverse = shim_->plan().Find(base + 3);
    ASSERT_NE(reverse, nullptr);
    ASSERT_EQ(reverse->memory.size(), 2u) << shim_->plan().Describe();
    EXPECT_EQ(reverse->memory[0].address_register, 1);
    EXPECT_EQ(reverse->memory[0].length, 64u);
    EXPECT_EQ(reverse->memory[0].direction, kIn);
    EXPECT_EQ(reverse->memory[1].address_register, 2);
    EXPECT_EQ(reverse->memory[1].length, 64u);
    EXPECT_EQ(reverse->memory[1].direction, kOut);
    const PlannedRange* xor_range = shim_->plan().Find(base + 4);
    ASSERT_NE(xor_range, nullptr);
    ASSERT_EQ(xor_range->memory.size(), 1u);
    EXPECT_EQ(xor_range->memory[0].direction, kInOut);
    const PlannedRange* when = shim_->plan().Find(base + 5);
    ASSERT_NE(when, nullptr);
    ASSERT_EQ(when->memory.size(), 1u);
    EXPECT_EQ(when->memory[0].address_register, 2);
    EXPECT_EQ(when->memory[0].length, 16u);
    EXPECT_EQ(when->memory[0].direction, kOut);
    EXPECT_EQ(when->memory[0].when_register, 1);
    EXPECT_EQ(when->memory[0].when_mask, 1u);
    EXPECT_EQ(when->memory[0].when_value, 0u);
    EXPECT_EQ(when->memory[0].bad_address_x0, 5u);
    // ECHO_ALL and the others pass no memory.
    EXPECT_TRUE(shim_->plan().Find(base)->memory.empty());
    EXPECT_TRUE(shim_->plan().Find(base + 6)->memory.empty());
  }
}

TEST_F(ShimMemoryCallsTest, MemReverseReadsTheInBufferAndWritesItReversedIntoTheOutBuffer) {
  const std::vector<uint8_t> input = Input(0x30);
  const uint64_t in = kRamA + 0x1000, out = kRamB + 0x2000;
  SetRam(in, input);
  CallOutcome o = Call(kMemReverse64, in, out);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  EXPECT_EQ(Ram(out, 64), std::vector<uint8_t>(input.rbegin(), input.rend()));
  EXPECT_EQ(Ram(in, 64), input);
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), Sum(input));
  EXPECT_EQ(vcpu_.x(2), out);
  EXPECT_TRUE(HighRegistersUntouched());
  // The input was put there by the test; only the output buffer changed.
  SetRam(in, std::vector<uint8_t>(64, kFillA));
  EXPECT_TRUE(RamUntouchedOutside(out, 64));
  EXPECT_EQ(o.registers.reads, 2u);
  EXPECT_EQ(o.registers.writes, 2u);
  EXPECT_EQ(o.result.written_mask, 0x3u);
}

TEST_F(ShimMemoryCallsTest, BuffersAtTheEdgesOfRegionsAreInside) {
  // In: the first 64 bytes of RAM; out: the last 64 of the first region, and
  // then of the second (the very end of RAM).
  const std::vector<uint8_t> input = Input(0x80);
  SetRam(kRamA, input);
  for (uint64_t out : {kRamB - 64, kRamEnd - 64}) {
    CallOutcome o = Call(kMemReverse64, kRamA, out);
    ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
    EXPECT_EQ(Ram(out, 64), std::vector<uint8_t>(input.rbegin(), input.rend()));
    EXPECT_EQ(vcpu_.x(1), Sum(input));
  }
  EXPECT_EQ(Ram(kRamB - 65, 1)[0], kFillA);
  EXPECT_EQ(Ram(kRamB, 1)[0], kFillB);
  EXPECT_EQ(Ram(kRamEnd - 65, 1)[0], kFillB);
}

TEST_F(ShimMemoryCallsTest, MemXorChangesTheBufferInPlaceAndCountsItsNonZeroBytes) {
  const std::vector<uint8_t> input = Input(0, {0, 7, 63});
  const uint64_t at = kRamB - 64;  // Ends exactly at the end of region A.
  SetRam(at, input);
  // Only x2's low byte is the key.
  CallOutcome o = Call(kMemXor64, at, 0x123456789abcde5a);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  std::vector<uint8_t> expected = input;
  for (uint8_t& b : expected) b ^= 0x5a;
  EXPECT_EQ(Ram(at, 64), expected);
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 61u);
  EXPECT_EQ(vcpu_.x(2), 0x123456789abcde5au);
  EXPECT_TRUE(HighRegistersUntouched());
  EXPECT_TRUE(RamUntouchedOutside(at, 64));
  EXPECT_EQ(o.registers.reads, 2u);
  EXPECT_EQ(o.registers.writes, 2u);
}

TEST_F(ShimMemoryCallsTest, MemWhenWritesItsBufferOnlyWhenBitZeroOfX1IsClear) {
  const uint64_t out = kRamA + 0x3000;
  CallOutcome o = Call(kMemWhen64, 0x10, out);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  const char kProbe[] = "hypercall-probe";  // 15 characters and the NUL.
  EXPECT_EQ(Ram(out, 16), std::vector<uint8_t>(kProbe, kProbe + 16));
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 16u);
  EXPECT_TRUE(RamUntouchedOutside(out, 16));

  // Bit 0 set: no memory, so x2 need not even be an address.
  SetRam(out, std::vector<uint8_t>(16, kFillA));
  o = Call(kMemWhen64, 0x11, ~uint64_t{0});
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 0u);
  EXPECT_EQ(vcpu_.x(2), ~uint64_t{0});
  EXPECT_TRUE(HighRegistersUntouched());
  EXPECT_TRUE(RamUntouchedOutside());
}

struct BadCall {
  const char* what;
  uint32_t fid;
  uint64_t x1, x2;
  uint64_t x0;  // What the guest gets.
};

class ShimMemoryBadAddressTest : public ShimMemoryCallsTest,
                                 public ::testing::WithParamInterface<BadCall> {};

TEST_P(ShimMemoryBadAddressTest, AnswersLocallyWithoutTouchingMemory) {
  const BadCall& c = GetParam();
  CallOutcome o = Call(c.fid, c.x1, c.x2);
  EXPECT_EQ(o.disposition, Disposition::kBadAddress) << c.what;
  EXPECT_EQ(vcpu_.x(0), c.x0);
  EXPECT_EQ(vcpu_.x(1), c.x1);
  EXPECT_EQ(vcpu_.x(2), c.x2);
  EXPECT_TRUE(HighRegistersUntouched());
  EXPECT_TRUE(RamUntouchedOutside());
  EXPECT_EQ(o.registers.reads, 2u);
  EXPECT_EQ(o.registers.writes, 1u);
  const VcpuStats stats = shim_->vcpu_stats(0);
  EXPECT_EQ(stats.bad_address, 1u);
  EXPECT_EQ(stats.brokered, 0u);
}

std::string Named(const ::testing::TestParamInfo<BadCall>& info) {
  std::string name;
  for (const char* p = info.param.what; *p != '\0'; ++p) {
    if (std::isalnum(static_cast<unsigned char>(*p))) name += *p;
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(
    Smc64, ShimMemoryBadAddressTest,
    ::testing::Values(
        BadCall{"reverse in just past the end of RAM", kMemReverse64, kRamEnd - 63, kRamA,
                kInvalidParameter64},
        BadCall{"reverse in straddling two regions", kMemReverse64, kRamB - 32, kRamA,
                kInvalidParameter64},
        BadCall{"reverse in at the top of the address space", kMemReverse64, ~uint64_t{0}, kRamA,
                kInvalidParameter64},
        BadCall{"reverse out just past the end of RAM", kMemReverse64, kRamA, kRamEnd - 63,
                kInvalidParameter64},
        BadCall{"reverse out straddling two regions", kMemReverse64, kRamA, kRamB - 1,
                kInvalidParameter64},
        BadCall{"reverse out below RAM", kMemReverse64, kRamA, kRamA - 64, kInvalidParameter64},
        BadCall{"xor at the end of RAM", kMemXor64, kRamEnd, 1, kInvalidParameter64},
        BadCall{"xor wrapping past 2^64", kMemXor64, ~uint64_t{0} - 31, 1, kInvalidParameter64},
        BadCall{"when with its own bad address x0", kMemWhen64, 0, kRamEnd - 8, 5},
        BadCall{"when at the top of the address space", kMemWhen64, 2, ~uint64_t{0}, 5}),
    Named);

// SMC32: w1, w2 are the addresses; w0 gets the answer.
INSTANTIATE_TEST_SUITE_P(
    Smc32, ShimMemoryBadAddressTest,
    ::testing::Values(
        BadCall{"reverse32 in past the end of RAM", kMemReverse32, kRamEnd - 1, kRamA,
                kInvalidParameter32},
        BadCall{"reverse32 out straddling", kMemReverse32, kRamA, kRamB - 63, kInvalidParameter32},
        BadCall{"reverse32 in at the top of 32 bits", kMemReverse32, 0xffffffff, kRamA,
                kInvalidParameter32},
        BadCall{"xor32 past the end of RAM", kMemXor32, kRamEnd - 32, 1, kInvalidParameter32},
        BadCall{"when32 with its own bad address x0", kMemWhen32, 0, kRamEnd - 15, 5}),
    Named);

TEST_F(ShimMemoryCallsTest, Smc32FormsUseW1AndW2AndAnswerInW0AndW1) {
  const std::vector<uint8_t> input = Input(0xc0);
  const uint64_t in = kRamB + 0x100, out = kRamA + 0x100;
  SetRam(in, input);
  // The upper halves are not the callee's to read: w1, w2 are the addresses.
  CallOutcome o = Call(kMemReverse32, 0xffffffff00000000 | in, 0x0123456700000000 | out);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  EXPECT_EQ(Ram(out, 64), std::vector<uint8_t>(input.rbegin(), input.rend()));
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), Sum(input));
  EXPECT_TRUE(HighRegistersUntouched());

  const uint64_t at = kRamEnd - 64;
  SetRam(at, Input(0, {5}));
  o = Call(kMemXor32, at, 0xff);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  std::vector<uint8_t> expected = Input(0, {5});
  for (uint8_t& b : expected) b ^= 0xff;
  EXPECT_EQ(Ram(at, 64), expected);
  EXPECT_EQ(vcpu_.x(1), 63u);

  o = Call(kMemWhen32, 0, kRamA);
  ASSERT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  const char kProbe[] = "hypercall-probe";
  EXPECT_EQ(Ram(kRamA, 16), std::vector<uint8_t>(kProbe, kProbe + 16));
  EXPECT_EQ(vcpu_.x(1), 16u);
  EXPECT_EQ(shim_->vcpu_stats(0).brokered, 3u);
}

TEST_F(ShimMemoryCallsTest, AVmWithoutGuestMemoryAnswersEveryBufferCallLocally) {
  shim_.reset();
  shim_ = ConnectOrDie(MemoryVm("memoryless-vm"), nullptr);
  ASSERT_NE(shim_, nullptr);
  CallOutcome o = Call(kMemReverse64, kRamA, kRamB);
  EXPECT_EQ(o.disposition, Disposition::kBadAddress);
  EXPECT_THAT(o.detail, HasSubstr("no guest memory"));
  EXPECT_EQ(vcpu_.x(0), kInvalidParameter64);
  o = Call(kMemWhen64, 0, kRamA);
  EXPECT_EQ(o.disposition, Disposition::kBadAddress);
  EXPECT_EQ(vcpu_.x(0), 5u);
  // MEM_WHEN without memory, and calls without operands, are brokered.
  o = Call(kMemWhen64, 1, kRamA);
  EXPECT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  EXPECT_EQ(vcpu_.x(1), 0u);
  o = Call(0xc3000002, 41, 0);  // WHO
  EXPECT_EQ(o.disposition, Disposition::kBrokered) << o.detail;
  EXPECT_EQ(vcpu_.x(2), 42u);
  EXPECT_TRUE(RamUntouchedOutside());
  EXPECT_EQ(shim_->vcpu_stats(0).bad_address, 2u);
}

TEST_F(ShimMemoryCallsTest, KvmBackendMakesOneIoctlPerPlannedArgumentAndWrittenResult) {
  const std::vector<uint8_t> input = Input(1);
  SetRam(kRamA, input);
  FakeKvm kernel;
  kernel.registers[kvm::CoreRegisterId(1)] = kRamA;
  kernel.registers[kvm::CoreRegisterId(2)] = kRamB;
  FakeRunPage run(kMemReverse64, kvm::kHypercallExitSmc);
  KvmArm64Vcpu vcpu(/*vcpu_fd=*/9, run.bytes, kernel);
  absl::StatusOr<CallOutcome> out = shim_->HandleHypercall(0, vcpu);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->disposition, Disposition::kBrokered) << out->detail;
  const auto gets = kernel.Only(kvm::kGetOneReg);
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].reg_id, kvm::CoreRegisterId(1));
  EXPECT_EQ(gets[1].reg_id, kvm::CoreRegisterId(2));
  const auto sets = kernel.Only(kvm::kSetOneReg);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].reg_id, kvm::CoreRegisterId(0));
  EXPECT_EQ(sets[0].value, 0u);
  EXPECT_EQ(sets[1].reg_id, kvm::CoreRegisterId(1));
  EXPECT_EQ(sets[1].value, Sum(input));
  EXPECT_EQ(kernel.requests.size(), 4u);
  EXPECT_EQ(Ram(kRamB, 64), std::vector<uint8_t>(input.rbegin(), input.rend()));
}

TEST_F(ShimMemoryCallsTest, VcpusPassBuffersConcurrently) {
  constexpr int kVcpus = 4;
  constexpr int kCalls = 100;
  shim_.reset();
  shim_ = ConnectOrDie(MemoryVm("smp-memory-vm", kVcpus), &*memory_);
  ASSERT_NE(shim_, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (uint32_t v = 0; v < kVcpus; ++v) {
    threads.emplace_back([&, v] {
      SimulatedVcpu vcpu;
      const uint64_t at = kRamA + 0x100 * v;  // Each vCPU its own buffer.
      for (int i = 0; i < kCalls; ++i) {
        // XOR with the same key twice gives the fill back.
        vcpu.Issue(kMemXor64, {at, v + 1});
        absl::StatusOr<CallOutcome> out = shim_->HandleHypercall(v, vcpu);
        if (!out.ok() || out->disposition != Disposition::kBrokered || vcpu.x(0) != 0 ||
            vcpu.x(1) != 64) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // An even number of XORs with each vCPU's key: RAM is as it was.
  EXPECT_TRUE(RamUntouchedOutside());
  for (uint32_t v = 0; v < kVcpus; ++v) EXPECT_EQ(shim_->vcpu_stats(v).brokered, uint64_t{kCalls});
}

}  // namespace
}  // namespace hypercall::shim::testing
