// The hyperv provider in the real daemon (`--providers hyperv`), driven
// through the shim with guest RAM in a std::vector: CALL_UID, a fast
// SetVpRegisters, then a slow GetVpRegisters whose input page the shim
// copies from guest RAM and whose output page it writes back, every byte of
// RAM and register checked; a slow SetVpRegisters with no output page; a
// page outside guest RAM answers 5.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "support/hyperv_calls.h"
#include "support/shim_test_fixture.h"

namespace hypercall::shim::testing {
namespace {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kInPage = kRamBase + 0x1000;
constexpr uint64_t kOutPage = kRamBase + 0x2000;
constexpr uint8_t kFill = 0xa5;

namespace hv = ::hypercall::testing::hyperv;

class HypervProviderTest : public ShimWithDaemonTest {
 protected:
  HypervProviderTest() : ram_(kRamSize, kFill) {}

  std::vector<std::string> DaemonArgs() const override { return {"--providers", "hyperv"}; }

  void SetUp() override {
    ShimWithDaemonTest::SetUp();
    if (HasFatalFailure()) return;
    auto memory = MappedGuestMemory::Create({{kRamBase, kRamSize, ram_.data()}});
    ASSERT_TRUE(memory.ok()) << memory.status();
    memory_.emplace(*std::move(memory));
    VmDescription vm = Vm("hyperv-vm", 2);
    vm.ram = {{kRamBase, kRamSize}};
    shim_ = ConnectOrDie(vm, &*memory_);
    ASSERT_NE(shim_, nullptr);
  }

  CallOutcome Call(uint32_t vcpu_index, uint32_t fid, std::initializer_list<uint64_t> args) {
    IssueMarked(vcpu_, fid, args);
    absl::StatusOr<CallOutcome> outcome = shim_->HandleHypercall(vcpu_index, vcpu_);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *outcome : CallOutcome{};
  }

  void Put(uint64_t gpa, uint64_t value, int size) {
    for (int i = 0; i < size; ++i)
      ram_[gpa - kRamBase + i] = static_cast<uint8_t>(value >> (8 * i));
  }
  uint64_t Load(uint64_t gpa) const {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{ram_[gpa - kRamBase + i]} << (8 * i);
    return value;
  }

  std::vector<uint8_t> ram_;
  std::optional<MappedGuestMemory> memory_;
  std::unique_ptr<Shim> shim_;
  SimulatedVcpu vcpu_;
};

TEST_F(HypervProviderTest, CallUidThenFastAndSlowCallsThroughGuestRam) {
  CallOutcome uid = Call(0, hv::kCallUid, {});
  ASSERT_EQ(uid.disposition, Disposition::kBrokered) << uid.detail;
  EXPECT_EQ(vcpu_.x(0), 0x4d32ba58u);
  EXPECT_EQ(vcpu_.x(1), 0xcd244764u);
  EXPECT_EQ(vcpu_.x(2), 0x8eef6c75u);
  EXPECT_EQ(vcpu_.x(3), 0x16597024u);

  CallOutcome set = Call(1, hv::kHvCall,
                         {0x51 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf,
                          hv::kGuestOsId, 0, 0x1234, 0});
  ASSERT_EQ(set.disposition, Disposition::kBrokered) << set.detail;
  EXPECT_EQ(vcpu_.x(0), hv::kRep1);

  // Input page: partition, VP, VTL 0, names; the rep starts at 1, so the
  // first name is skipped.
  Put(kInPage, hv::kPartitionSelf, 8);
  Put(kInPage + 8, hv::kVpSelf, 4);
  Put(kInPage + 12, 0, 4);
  const uint32_t names[] = {0xdead, hv::kVpIndex, hv::kGuestOsId, hv::kHypervisorVersion};
  for (int i = 0; i < 4; ++i) Put(kInPage + 16 + 4 * i, names[i], 4);
  CallOutcome get =
      Call(1, hv::kHvCall, {0x50 | uint64_t{4} << 32 | uint64_t{1} << 48, kInPage, kOutPage});
  ASSERT_EQ(get.disposition, Disposition::kBrokered) << get.detail;
  EXPECT_EQ(vcpu_.x(0), uint64_t{4} << 32);
  for (int i = 4; i < smccc::kNumRegisters; ++i) {
    EXPECT_EQ(vcpu_.x(i), kUntouched + i) << "x" << i;
  }
  EXPECT_EQ(Load(kOutPage), 0u);  // Before rep start: written as zero.
  EXPECT_EQ(Load(kOutPage + 8), 0u);
  EXPECT_EQ(Load(kOutPage + 16), 1u);  // VP_INDEX of vCPU 1.
  EXPECT_EQ(Load(kOutPage + 24), 0u);
  EXPECT_EQ(Load(kOutPage + 32), 0x1234u);
  EXPECT_EQ(Load(kOutPage + 40), 0u);
  EXPECT_EQ(Load(kOutPage + 48), 0x000a000000004f7cu);
  EXPECT_EQ(Load(kOutPage + 56), 0u);
  // Nothing past the four values, and nothing outside the two pages.
  for (uint64_t i = 0; i < kRamSize; ++i) {
    const uint64_t at = kRamBase + i;
    if ((at >= kInPage && at < kInPage + 32) || (at >= kOutPage && at < kOutPage + 64)) continue;
    ASSERT_EQ(ram_[i], kFill) << "guest RAM at 0x" << std::hex << at;
  }

  // A slow SetVpRegisters with x3 0, as Linux makes it: only the input page
  // is passed; a fast Get reads the value back.
  constexpr uint64_t kSetPage = kRamBase + 0x3000;
  Put(kSetPage, hv::kPartitionSelf, 8);
  Put(kSetPage + 8, hv::kVpSelf, 8);
  Put(kSetPage + 16, hv::kGuestOsId, 16);
  Put(kSetPage + 32, 0x5678, 8);
  Put(kSetPage + 40, 0, 8);
  CallOutcome slow_set = Call(0, hv::kHvCall, {0x51 | hv::kRep1, kSetPage, 0});
  ASSERT_EQ(slow_set.disposition, Disposition::kBrokered) << slow_set.detail;
  EXPECT_EQ(vcpu_.x(0), hv::kRep1);
  Call(0, hv::kHvCall,
       {0x50 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId});
  EXPECT_EQ(vcpu_.x(0), hv::kRep1);
  EXPECT_EQ(vcpu_.x(6), 0x5678u);
  EXPECT_EQ(vcpu_.x(7), 0u);

  // An output page running past the end of RAM: status 5, RAM untouched.
  const std::vector<uint8_t> before = ram_;
  CallOutcome bad = Call(0, hv::kHvCall, {0x50 | hv::kRep1, kInPage, kRamBase + kRamSize - 0x800});
  EXPECT_EQ(bad.disposition, Disposition::kBadAddress) << bad.detail;
  EXPECT_EQ(vcpu_.x(0), 5u);
  EXPECT_EQ(ram_, before);
}

// The daemon drops a VM's registers when its session ends (VmDetached): the
// next VM under the same name starts from GUEST_OS_ID 0.
TEST_F(HypervProviderTest, AVmAttachingAgainUnderTheSameNameStartsAfresh) {
  CallOutcome set = Call(0, hv::kHvCall,
                         {0x51 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf,
                          hv::kGuestOsId, 0, 0x1234, 0});
  ASSERT_EQ(set.disposition, Disposition::kBrokered) << set.detail;
  Call(0, hv::kHvCall,
       {0x50 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId});
  EXPECT_EQ(vcpu_.x(6), 0x1234u);

  shim_.reset();
  // The name is free once the daemon has ended the old session.
  VmDescription vm = Vm("hyperv-vm", 2);
  vm.ram = {{kRamBase, kRamSize}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  absl::StatusOr<std::unique_ptr<Shim>> again = Shim::Connect(vm, Options(), &*memory_);
  while (again.status().code() == absl::StatusCode::kAlreadyExists &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    again = Shim::Connect(vm, Options(), &*memory_);
  }
  ASSERT_TRUE(again.ok()) << again.status();
  shim_ = *std::move(again);
  CallOutcome get =
      Call(0, hv::kHvCall,
           {0x50 | hv::kFast | hv::kRep1, hv::kPartitionSelf, hv::kVpSelf, hv::kGuestOsId});
  ASSERT_EQ(get.disposition, Disposition::kBrokered) << get.detail;
  EXPECT_EQ(vcpu_.x(0), hv::kRep1);
  EXPECT_EQ(vcpu_.x(6), 0u);
  EXPECT_EQ(vcpu_.x(7), 0u);
}

}  // namespace
}  // namespace hypercall::shim::testing
