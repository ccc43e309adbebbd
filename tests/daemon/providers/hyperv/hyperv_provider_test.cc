// The hyperv provider on its own: CALL_UID, Linux arm64's exact init
// sequence through fast Get/SetVpRegisters, status codes and the reps
// completed field, the slow GetVpRegisters with its pages, and the register
// file (per-VM state, TIME_REF_COUNT, the cap on VMs tracked).
#include "providers/hyperv/hyperv_provider.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "captured_result.h"
#include "providers/hyperv/hv_abi.h"
#include "providers/hyperv/hyperv_options.h"
#include "providers/hyperv/vp_register_file.h"
#include "providers/provider_registry.h"
#include "smccc/return_codes.h"

namespace hypercall::providers::hyperv {
namespace {

constexpr uint64_t kFast = uint64_t{1} << 16;
constexpr uint64_t kRep1 = uint64_t{1} << 32;
constexpr uint64_t kInAddress = 0x40001000;
constexpr uint64_t kOutAddress = 0x40002000;

// A clock the test moves.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  MonotonicClock AsClock() {
    return [this] { return now; };
  }
};

// Handles `call` as the daemon would: calling convention both ways, and the
// memory operands that apply to it (with `in_page` as the input page).
smccc::Result Handle(HypervProvider& provider, smccc::Call call, std::string_view vm = "vm",
                     uint32_t vcpu = 0, const std::string& in_page = "") {
  smccc::ApplyCallingConvention(call.function_id, call);
  for (const provider::RangeClaim& claim : provider.Claims()) {
    if (!claim.range.Contains(call.function_id)) continue;
    call.args_read_mask = claim.args_read_mask;
    for (size_t i = 0; i < claim.memory.size(); ++i) {
      const smccc::MemoryOperand& operand = claim.memory[i];
      if (!operand.AppliesTo(call)) continue;
      call.memory.push_back({.operand = static_cast<int>(i),
                             .guest_phys_addr = call.x[operand.address_register],
                             .length = operand.length,
                             .direction = operand.direction,
                             .data = smccc::ProviderReads(operand.direction) ? in_page : ""});
    }
  }
  CapturedResult done;
  provider.Handle({vm, vcpu}, call, done);
  EXPECT_EQ(done.count, 1);
  EXPECT_TRUE(smccc::CheckResultMemory(call, done.value).ok());
  smccc::ApplyCallingConvention(call.function_id, done.value);
  return done.value;
}

// A fast Get/SetVpRegisters as Linux arm64 makes it (hv_get_vpreg_128,
// hv_set_vpreg).
smccc::Call FastCall(uint64_t control, uint32_t name, uint64_t low = 0, uint64_t high = 0,
                     uint64_t partition = kHvPartitionIdSelf, uint64_t vp = kHvVpIndexSelf) {
  smccc::Call call;
  call.function_id = kHvFunctionId;
  call.x[1] = control;
  call.x[2] = partition;
  call.x[3] = vp;
  call.x[4] = name;
  call.x[6] = low;
  call.x[7] = high;
  return call;
}

smccc::Call FastGet(uint32_t name) { return FastCall(kHvCallGetVpRegisters | kFast | kRep1, name); }

smccc::Call FastSet(uint32_t name, uint64_t low, uint64_t high = 0) {
  return FastCall(kHvCallSetVpRegisters | kFast | kRep1, name, low, high);
}

// A slow call's registers: the pages at kInAddress and kOutAddress.
smccc::Call SlowCall(uint16_t code, uint64_t rep_count, uint64_t rep_start = 0) {
  smccc::Call call;
  call.function_id = kHvFunctionId;
  call.x[1] = code | rep_count << 32 | rep_start << 48;
  call.x[2] = kInAddress;
  call.x[3] = kOutAddress;
  return call;
}

void Put(std::string& page, size_t offset, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) page[offset + i] = static_cast<char>(value >> (8 * i));
}

uint64_t Load(const std::string& bytes, size_t offset) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= uint64_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
  }
  return value;
}

// A GetVpRegisters input page: header, then `names`.
std::string InputPage(const std::vector<uint32_t>& names, uint64_t partition = kHvPartitionIdSelf,
                      uint32_t vp = kHvVpIndexSelf, uint8_t vtl = 0) {
  std::string page(kHvPageBytes, '\xee');
  Put(page, 0, partition, 8);
  Put(page, 8, vp, 4);
  Put(page, 12, vtl, 1);
  for (size_t i = 0; i < names.size(); ++i) Put(page, 16 + 4 * i, names[i], 4);
  return page;
}

TEST(HypervProviderTest, ClaimsCallUidAndTheHypercallWithItsSlowPages) {
  HypervProvider provider;
  std::vector<provider::RangeClaim> claims = provider.Claims();
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].range.first, 0x46000001u);
  EXPECT_EQ(claims[0].range.last, 0x46000001u);
  EXPECT_EQ(claims[0].args_read_mask, 0xfeu);
  EXPECT_EQ(smccc::DescribeMemoryOperands(claims[0].memory),
            "x2 -> 4096 bytes in, when (x1 & 0x10000) == 0x0; "
            "x3 -> 4096 bytes out, when (x1 & 0x1ffff) == 0x50");
  EXPECT_TRUE(smccc::CheckMemoryOperands(claims[0].memory, claims[0].args_read_mask).ok());
  for (const smccc::MemoryOperand& operand : claims[0].memory) {
    EXPECT_EQ(operand.BadAddressResult(), 5u);
  }
  EXPECT_EQ(claims[1].range.first, 0x8600ff01u);
  EXPECT_EQ(claims[1].range.last, 0x8600ff01u);
  EXPECT_EQ(claims[1].args_read_mask, 0u);
  EXPECT_TRUE(claims[1].memory.empty());
}

TEST(HypervProviderTest, CallUidAnswersTheHypervUid) {
  HypervProvider provider;
  smccc::Call call;
  call.function_id = kCallUid;
  smccc::Result r = Handle(provider, call);
  EXPECT_EQ(r.written_mask, 0xfu);
  EXPECT_EQ(r.x[0], 0x4d32ba58u);
  EXPECT_EQ(r.x[1], 0xcd244764u);
  EXPECT_EQ(r.x[2], 0x8eef6c75u);
  EXPECT_EQ(r.x[3], 0x16597024u);
}

TEST(HypervProviderTest, LinuxInitSequence) {
  HypervProvider provider;
  smccc::Call uid;
  uid.function_id = kCallUid;
  EXPECT_EQ(Handle(provider, uid).x[0], 0x4d32ba58u);

  // hv_set_vpreg(HV_REGISTER_GUEST_OS_ID, ...): x0 only, one rep completed.
  constexpr uint64_t kGuestOsId = 0x8100060e00000000u;
  smccc::Result set = Handle(provider, FastSet(kHvRegisterGuestOsId, kGuestOsId));
  EXPECT_EQ(set.x[0], uint64_t{1} << 32);
  EXPECT_EQ(set.written_mask, 0x1u);

  // hv_get_vpreg_128 of the features, the hints and the version: x0, x6, x7.
  for (auto [name, want] : {std::pair{kHvRegisterPrivilegesAndFeaturesInfo, kPrivilegesAndFeatures},
                            std::pair{kHvRegisterFeaturesInfo, kFeaturesInfo},
                            std::pair{kHvRegisterHypervisorVersion, kHypervisorVersion}}) {
    smccc::Result get = Handle(provider, FastGet(name));
    EXPECT_EQ(get.x[0], uint64_t{1} << 32) << std::hex << name;
    EXPECT_EQ(get.written_mask, 0xc1u) << std::hex << name;
    EXPECT_EQ(get.x[6], want.low) << std::hex << name;
    EXPECT_EQ(get.x[7], want.high) << std::hex << name;
  }
  EXPECT_EQ(kPrivilegesAndFeatures.low, 0x62u);
  EXPECT_EQ(kHypervisorVersion.low, 0x000a000000004f7cu);

  // The guest OS ID reads back.
  smccc::Result os_id = Handle(provider, FastGet(kHvRegisterGuestOsId));
  EXPECT_EQ(os_id.x[6], kGuestOsId);
  EXPECT_EQ(os_id.x[7], 0u);

  // Per CPU: VP_INDEX is the calling vCPU.
  for (uint32_t vcpu : {0u, 1u, 2u, 7u}) {
    smccc::Result get = Handle(provider, FastGet(kHvRegisterVpIndex), "vm", vcpu);
    EXPECT_EQ(get.x[0], uint64_t{1} << 32);
    EXPECT_EQ(get.written_mask, 0xc1u);
    EXPECT_EQ(get.x[6], vcpu);
    EXPECT_EQ(get.x[7], 0u);
  }
}

TEST(HypervProviderTest, StatusCodes) {
  HypervProvider provider;
  auto x0 = [&](const smccc::Call& call, uint32_t vcpu = 0) {
    smccc::Result r = Handle(provider, call, "vm", vcpu);
    EXPECT_EQ(r.written_mask, 0x1u);
    return r.x[0];
  };
  // Call codes not implemented, fast or slow.
  EXPECT_EQ(x0(FastCall(0x0002 | kFast | kRep1, 0)), kHvStatusInvalidHypercallCode);
  EXPECT_EQ(x0(FastCall(0x0008 | kFast, 0)), kHvStatusInvalidHypercallCode);
  EXPECT_EQ(x0(SlowCall(0x0002, 1)), kHvStatusInvalidHypercallCode);
  EXPECT_EQ(x0(SlowCall(0x0052, 1)), kHvStatusInvalidHypercallCode);
  // Fast forms take exactly one rep from 0.
  for (uint64_t code : {kHvCallGetVpRegisters, kHvCallSetVpRegisters}) {
    EXPECT_EQ(x0(FastCall(code | kFast, kHvRegisterGuestOsId)), kHvStatusInvalidHypercallInput);
    EXPECT_EQ(x0(FastCall(code | kFast | 2 * kRep1, kHvRegisterGuestOsId)),
              kHvStatusInvalidHypercallInput);
    EXPECT_EQ(x0(FastCall(code | kFast | kRep1 | uint64_t{1} << 48, kHvRegisterGuestOsId)),
              kHvStatusInvalidHypercallInput);
    // Another partition, another VP, another VTL.
    EXPECT_EQ(x0(FastCall(code | kFast | kRep1, kHvRegisterGuestOsId, 0, 0, 0)),
              kHvStatusInvalidPartitionId);
    EXPECT_EQ(
        x0(FastCall(code | kFast | kRep1, kHvRegisterGuestOsId, 0, 0, kHvPartitionIdSelf, 1), 0),
        kHvStatusInvalidVpIndex);
    EXPECT_EQ(x0(FastCall(code | kFast | kRep1, kHvRegisterGuestOsId, 0, 0, kHvPartitionIdSelf,
                          0xffffffff)),
              kHvStatusInvalidVpIndex);
    EXPECT_EQ(x0(FastCall(code | kFast | kRep1, kHvRegisterGuestOsId, 0, 0, kHvPartitionIdSelf,
                          uint64_t{1} << 32 | kHvVpIndexSelf)),
              kHvStatusInvalidParameter);
  }
  // The caller's own index is as good as SELF.
  smccc::Result own = Handle(provider,
                             FastCall(kHvCallGetVpRegisters | kFast | kRep1, kHvRegisterVpIndex, 0,
                                      0, kHvPartitionIdSelf, 3),
                             "vm", 3);
  EXPECT_EQ(own.x[0], uint64_t{1} << 32);
  EXPECT_EQ(own.x[6], 3u);
  // Unknown names; read-only registers.
  EXPECT_EQ(x0(FastGet(0x12345)), kHvStatusInvalidParameter);
  EXPECT_EQ(x0(FastSet(0x12345, 1)), kHvStatusInvalidParameter);
  for (uint32_t name :
       {kHvRegisterVpIndex, kHvRegisterHypervisorVersion, kHvRegisterPrivilegesAndFeaturesInfo,
        kHvRegisterFeaturesInfo, kHvRegisterTimeRefCount}) {
    EXPECT_EQ(x0(FastSet(name, 1)), kHvStatusInvalidParameter) << std::hex << name;
  }
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterVpIndex), "vm", 5).x[6], 5u);
}

TEST(HypervProviderTest, SlowGetVpRegistersReadsNamesAndWritesValues) {
  FakeClock clock;
  HypervProvider provider(clock.AsClock());
  Handle(provider, FastSet(kHvRegisterGuestOsId, 0xabcdef));
  clock.now += std::chrono::microseconds(5);  // TIME_REF_COUNT 50.
  const std::string page =
      InputPage({kHvRegisterVpIndex, kHvRegisterGuestOsId, kHvRegisterTimeRefCount});

  smccc::Result r = Handle(provider, SlowCall(kHvCallGetVpRegisters, 3), "vm", 2, page);
  EXPECT_EQ(r.x[0], uint64_t{3} << 32);
  EXPECT_EQ(r.written_mask, 0x1u);
  ASSERT_EQ(r.memory.size(), 1u);
  EXPECT_EQ(r.memory[0].operand, 1);
  EXPECT_EQ(r.memory[0].guest_phys_addr, kOutAddress);
  const std::string& out = r.memory[0].data;
  ASSERT_EQ(out.size(), 48u);
  EXPECT_EQ(Load(out, 0), 2u);
  EXPECT_EQ(Load(out, 8), 0u);
  EXPECT_EQ(Load(out, 16), 0xabcdefu);
  EXPECT_EQ(Load(out, 24), 0u);
  EXPECT_EQ(Load(out, 32), 50u);
  EXPECT_EQ(Load(out, 40), 0u);

  // From rep start 1: names 1 and 2; value 0 is written as zero.
  r = Handle(provider, SlowCall(kHvCallGetVpRegisters, 3, 1), "vm", 2, page);
  EXPECT_EQ(r.x[0], uint64_t{3} << 32);
  ASSERT_EQ(r.memory.size(), 1u);
  ASSERT_EQ(r.memory[0].data.size(), 48u);
  EXPECT_EQ(Load(r.memory[0].data, 0), 0u);
  EXPECT_EQ(Load(r.memory[0].data, 16), 0xabcdefu);
  EXPECT_EQ(Load(r.memory[0].data, 32), 50u);

  // Rep start == rep count: nothing to do, nothing written.
  r = Handle(provider, SlowCall(kHvCallGetVpRegisters, 3, 3), "vm", 2, page);
  EXPECT_EQ(r.x[0], uint64_t{3} << 32);
  EXPECT_TRUE(r.memory.empty());
}

TEST(HypervProviderTest, SlowGetVpRegistersStopsAtABadNameOrInput) {
  HypervProvider provider;
  // Name 1 unknown: value 0 written, one rep completed.
  smccc::Result r = Handle(provider, SlowCall(kHvCallGetVpRegisters, 3), "vm", 4,
                           InputPage({kHvRegisterVpIndex, 0x777, kHvRegisterGuestOsId}));
  EXPECT_EQ(r.x[0], kHvStatusInvalidParameter | uint64_t{1} << 32);
  ASSERT_EQ(r.memory.size(), 1u);
  ASSERT_EQ(r.memory[0].data.size(), 16u);
  EXPECT_EQ(Load(r.memory[0].data, 0), 4u);
  // The first name bad: nothing written.
  r = Handle(provider, SlowCall(kHvCallGetVpRegisters, 1), "vm", 0, InputPage({0x777}));
  EXPECT_EQ(r.x[0], kHvStatusInvalidParameter);
  EXPECT_TRUE(r.memory.empty());

  auto x0 = [&](const smccc::Call& call, const std::string& page, uint32_t vcpu = 0) {
    smccc::Result result = Handle(provider, call, "vm", vcpu, page);
    EXPECT_TRUE(result.memory.empty());
    return result.x[0];
  };
  const std::string one = InputPage({kHvRegisterVpIndex});
  // 256 values fill the output page; 257 do not fit.
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 257), one), kHvStatusInvalidHypercallInput);
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 0xfff), one), kHvStatusInvalidHypercallInput);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallGetVpRegisters, 256, 255), "vm", 0,
                   InputPage(std::vector<uint32_t>(256, kHvRegisterVpIndex)))
                .x[0],
            uint64_t{256} << 32);
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 0), one), kHvStatusInvalidHypercallInput);
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 1, 2), one), kHvStatusInvalidHypercallInput);
  // The header's partition, VP and VTL.
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 1), InputPage({kHvRegisterVpIndex}, 1)),
            kHvStatusInvalidPartitionId);
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 1),
               InputPage({kHvRegisterVpIndex}, kHvPartitionIdSelf, 1)),
            kHvStatusInvalidVpIndex);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallGetVpRegisters, 1), "vm", 1,
                   InputPage({kHvRegisterVpIndex}, kHvPartitionIdSelf, 1))
                .x[0],
            uint64_t{1} << 32);
  EXPECT_EQ(x0(SlowCall(kHvCallGetVpRegisters, 1),
               InputPage({kHvRegisterVpIndex}, kHvPartitionIdSelf, kHvVpIndexSelf, 1)),
            kHvStatusInvalidParameter);
  // Pages not 8-byte aligned.
  smccc::Call misaligned = SlowCall(kHvCallGetVpRegisters, 1);
  misaligned.x[2] += 4;
  EXPECT_EQ(x0(misaligned, one), kHvStatusInvalidAlignment);
  misaligned = SlowCall(kHvCallGetVpRegisters, 1);
  misaligned.x[3] += 1;
  EXPECT_EQ(x0(misaligned, one), kHvStatusInvalidAlignment);
}

// A SetVpRegisters input page: header, then one HV_REGISTER_ASSOC per entry.
std::string SetInputPage(const std::vector<std::pair<uint32_t, uint64_t>>& entries,
                         uint64_t partition = kHvPartitionIdSelf, uint32_t vp = kHvVpIndexSelf) {
  std::string page = InputPage({}, partition, vp);
  for (size_t i = 0; i < entries.size(); ++i) {
    Put(page, 16 + 32 * i, entries[i].first, 4);
    Put(page, 16 + 32 * i + 4, 0, 12);
    Put(page, 16 + 32 * i + 16, entries[i].second, 8);
    Put(page, 16 + 32 * i + 24, 0, 8);
  }
  return page;
}

TEST(HypervProviderTest, SlowSetVpRegistersSetsFromTheInputPageAndPassesNoOutput) {
  HypervProvider provider;
  // x3 0, as Linux passes it: the output page is not a slow Set's operand.
  smccc::Call set = SlowCall(kHvCallSetVpRegisters, 1);
  set.x[3] = 0;
  EXPECT_FALSE(provider.Claims()[0].memory[1].AppliesTo(set));
  EXPECT_TRUE(provider.Claims()[0].memory[1].AppliesTo(SlowCall(kHvCallGetVpRegisters, 1)));
  smccc::Result r = Handle(provider, set, "vm", 0, SetInputPage({{kHvRegisterGuestOsId, 0x77}}));
  EXPECT_EQ(r.x[0], uint64_t{1} << 32);
  EXPECT_EQ(r.written_mask, 0x1u);
  EXPECT_TRUE(r.memory.empty());
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId)).x[6], 0x77u);

  // Stops at a read-only name: the entries before it are set.
  r = Handle(
      provider, SlowCall(kHvCallSetVpRegisters, 3), "vm", 0,
      SetInputPage(
          {{kHvRegisterGuestOsId, 0x88}, {kHvRegisterVpIndex, 1}, {kHvRegisterGuestOsId, 0x99}}));
  EXPECT_EQ(r.x[0], kHvStatusInvalidParameter | uint64_t{1} << 32);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId)).x[6], 0x88u);

  // From rep start 1: entry 0 (a bad name) is skipped.
  r = Handle(provider, SlowCall(kHvCallSetVpRegisters, 2, 1), "vm", 0,
             SetInputPage({{0x777, 1}, {kHvRegisterGuestOsId, 0xaa}}));
  EXPECT_EQ(r.x[0], uint64_t{2} << 32);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId)).x[6], 0xaau);

  // 127 entries fit the page, 128 do not; the header's target; alignment.
  const std::string one = SetInputPage({{kHvRegisterGuestOsId, 1}});
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallSetVpRegisters, 127, 126), "vm", 0,
                   SetInputPage(std::vector<std::pair<uint32_t, uint64_t>>(
                       127, {kHvRegisterGuestOsId, 0xbb})))
                .x[0],
            uint64_t{127} << 32);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallSetVpRegisters, 128), "vm", 0, one).x[0],
            kHvStatusInvalidHypercallInput);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallSetVpRegisters, 0), "vm", 0, one).x[0],
            kHvStatusInvalidHypercallInput);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallSetVpRegisters, 1), "vm", 0,
                   SetInputPage({{kHvRegisterGuestOsId, 1}}, 7))
                .x[0],
            kHvStatusInvalidPartitionId);
  EXPECT_EQ(Handle(provider, SlowCall(kHvCallSetVpRegisters, 1), "vm", 0,
                   SetInputPage({{kHvRegisterGuestOsId, 1}}, kHvPartitionIdSelf, 2))
                .x[0],
            kHvStatusInvalidVpIndex);
  smccc::Call misaligned = SlowCall(kHvCallSetVpRegisters, 1);
  misaligned.x[2] += 2;
  EXPECT_EQ(Handle(provider, misaligned, "vm", 0, one).x[0], kHvStatusInvalidAlignment);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId)).x[6], 0xbbu);
}

TEST(HypervProviderTest, VmsHaveTheirOwnRegisters) {
  FakeClock clock;
  HypervProvider provider(clock.AsClock());
  Handle(provider, FastSet(kHvRegisterGuestOsId, 0x1111), "a");
  clock.now += std::chrono::milliseconds(1);
  Handle(provider, FastSet(kHvRegisterGuestOsId, 0x2222), "b");
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId), "a").x[6], 0x1111u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId), "b").x[6], 0x2222u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId), "c").x[6], 0u);
  // Each VM's reference time counts from its own first access.
  clock.now += std::chrono::milliseconds(1);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterTimeRefCount), "a").x[6], 20000u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterTimeRefCount), "b").x[6], 10000u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterTimeRefCount), "c").x[6], 10000u);
}

// A detached VM's registers go; other VMs keep theirs, and the LRU list
// stays consistent (forgetting an unknown VM is harmless).
TEST(HypervProviderTest, VmDetachedDropsOnlyThatVmsRegisters) {
  FakeClock clock;
  HypervProvider provider(clock.AsClock());
  Handle(provider, FastSet(kHvRegisterGuestOsId, 0x1111), "a");
  Handle(provider, FastSet(kHvRegisterGuestOsId, 0x2222), "b");
  clock.now += std::chrono::milliseconds(1);
  provider.VmDetached("a");
  provider.VmDetached("never-seen");
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId), "b").x[6], 0x2222u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterTimeRefCount), "b").x[6], 10000u);
  // "a" again is a new VM: GUEST_OS_ID 0, its reference time from now.
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterGuestOsId), "a").x[6], 0u);
  EXPECT_EQ(Handle(provider, FastGet(kHvRegisterTimeRefCount), "a").x[6], 0u);
}

TEST(VpRegisterFileTest, ForgetFreesTheSlotForAnotherVm) {
  VpRegisterFile registers([] { return std::chrono::steady_clock::time_point{}; }, 2);
  registers.Set("a", kHvRegisterGuestOsId, {.low = 1});
  registers.Set("b", kHvRegisterGuestOsId, {.low = 2});
  registers.Forget("a");
  EXPECT_EQ(registers.vm_count(), 1u);
  registers.Set("c", kHvRegisterGuestOsId, {.low = 3});  // No eviction needed.
  HvRegisterValue value;
  registers.Get("b", 0, kHvRegisterGuestOsId, value);
  EXPECT_EQ(value.low, 2u);
  EXPECT_EQ(registers.vm_count(), 2u);
}

TEST(HypervProviderTest, TimeRefCountIsMonotonicIn100NsUnits) {
  FakeClock clock;
  HypervProvider fake(clock.AsClock());
  EXPECT_EQ(Handle(fake, FastGet(kHvRegisterTimeRefCount)).x[6], 0u);
  clock.now += std::chrono::nanoseconds(1234567);
  EXPECT_EQ(Handle(fake, FastGet(kHvRegisterTimeRefCount)).x[6], 12345u);
  clock.now += std::chrono::seconds(1);
  EXPECT_EQ(Handle(fake, FastGet(kHvRegisterTimeRefCount)).x[6], 10012345u);

  HypervProvider real;
  uint64_t last = Handle(real, FastGet(kHvRegisterTimeRefCount)).x[6];
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2)) {
    const uint64_t now = Handle(real, FastGet(kHvRegisterTimeRefCount)).x[6];
    EXPECT_GE(now, last);
    last = now;
  }
  // Read once the 2 ms have passed: at least that much counted since the
  // first read.
  EXPECT_GE(Handle(real, FastGet(kHvRegisterTimeRefCount)).x[6], 20000u);
}

TEST(VpRegisterFileTest, TracksAtMostMaxVmsEvictingTheLeastRecentlyUsed) {
  VpRegisterFile registers([] { return std::chrono::steady_clock::time_point{}; }, 2);
  EXPECT_EQ(registers.Set("a", kHvRegisterGuestOsId, {.low = 1}), kHvStatusSuccess);
  EXPECT_EQ(registers.Set("b", kHvRegisterGuestOsId, {.low = 2}), kHvStatusSuccess);
  HvRegisterValue value;
  EXPECT_EQ(registers.Get("a", 0, kHvRegisterGuestOsId, value), kHvStatusSuccess);    // a is newer.
  EXPECT_EQ(registers.Set("c", kHvRegisterGuestOsId, {.low = 3}), kHvStatusSuccess);  // Evicts b.
  EXPECT_EQ(registers.vm_count(), 2u);
  registers.Get("a", 0, kHvRegisterGuestOsId, value);
  EXPECT_EQ(value.low, 1u);
  registers.Get("c", 0, kHvRegisterGuestOsId, value);
  EXPECT_EQ(value.low, 3u);
  registers.Get("b", 0, kHvRegisterGuestOsId, value);  // Back from zero; evicts a.
  EXPECT_EQ(value.low, 0u);
  EXPECT_EQ(registers.vm_count(), 2u);
  registers.Get("a", 0, kHvRegisterGuestOsId, value);
  EXPECT_EQ(value.low, 0u);
}

TEST(HypervProviderTest, IsRegisteredOffByDefault) {
  // Found by name, not loaded unless asked for.
  std::unique_ptr<provider::Provider> provider = *CreateProvider("hyperv");
  EXPECT_EQ(provider->name(), "hyperv");
  for (const std::string& name : DefaultProviderNames()) EXPECT_NE(name, "hyperv");
}

// Every field of the hyperv options block, each a value no default has.
HypervOptions FullOptions() {
  HypervOptions options;
  options.set_major_version(10);
  options.set_minor_version(1);
  options.set_build_number(26100);
  options.set_service_pack(2);
  options.set_service_branch(3);
  options.set_service_number(4005);
  options.set_privileges_low(0x2062);
  options.set_privileges_high(0x10);
  options.set_misc_features(0x20);
  options.set_hints(0x40);
  return options;
}

TEST(HypervOptionsTest, NoFieldsKeepTheDefaults) {
  EXPECT_EQ(IdentityFromOptions({}), HvIdentityRegisters{});
  // One field changes its own bits only.
  HypervOptions options;
  options.set_minor_version(7);
  HvIdentityRegisters identity = IdentityFromOptions(options);
  EXPECT_EQ(identity.hypervisor_version.low, kHypervisorVersion.low | uint64_t{7} << 32);
  EXPECT_EQ(identity.hypervisor_version.high, 0u);
  EXPECT_EQ(identity.privileges_and_features, kPrivilegesAndFeatures);
  EXPECT_EQ(identity.features_info, kFeaturesInfo);
}

TEST(HypervOptionsTest, EachFieldGoesToTheWordLinuxReadsItFrom) {
  // as32.a = bits 31:0, b = 63:32 (low), c = 95:64, d = 127:96 (high).
  const HvIdentityRegisters identity = IdentityFromOptions(FullOptions());
  // a build, b major << 16 | minor, c service pack, d branch << 24 | number.
  EXPECT_EQ(identity.hypervisor_version.low, 0x000a0001000065f4u);
  EXPECT_EQ(identity.hypervisor_version.high, 0x03000fa500000002u);
  // a privileges low, b privileges high, c misc features, d 0.
  EXPECT_EQ(identity.privileges_and_features.low, 0x0000001000002062u);
  EXPECT_EQ(identity.privileges_and_features.high, 0x20u);
  // a hints.
  EXPECT_EQ(identity.features_info.low, 0x40u);
  EXPECT_EQ(identity.features_info.high, 0u);
}

TEST(HypervProviderTest, TheConfiguredRegistersAreWhatEveryVmReads) {
  const HypervOptions options = FullOptions();
  absl::StatusOr<std::unique_ptr<provider::Provider>> made = CreateProvider("hyperv", &options);
  ASSERT_TRUE(made.ok()) << made.status();
  auto& provider = static_cast<HypervProvider&>(**made);
  const std::pair<uint32_t, HvRegisterValue> expected[] = {
      {kHvRegisterHypervisorVersion, {0x000a0001000065f4u, 0x03000fa500000002u}},
      {kHvRegisterPrivilegesAndFeaturesInfo, {0x0000001000002062u, 0x20u}},
      {kHvRegisterFeaturesInfo, {0x40u, 0u}},
  };
  for (const std::string vm : {"a", "b"}) {
    for (const auto& [name, value] : expected) {
      smccc::Result r = Handle(provider, FastGet(name), vm, 1);
      EXPECT_EQ(r.x[0], kRep1) << std::hex << name;
      EXPECT_EQ(r.x[6], value.low) << std::hex << name;
      EXPECT_EQ(r.x[7], value.high) << std::hex << name;
    }
  }
  // Still read-only.
  EXPECT_EQ(Handle(provider, FastSet(kHvRegisterFeaturesInfo, 1)).x[0], kHvStatusInvalidParameter);
}

}  // namespace
}  // namespace hypercall::providers::hyperv
