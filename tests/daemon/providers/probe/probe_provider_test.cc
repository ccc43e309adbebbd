// The probe provider on its own: each function's registers and memory, the
// w-register view the daemon gives SMC32 calls, and claims with tight read
// masks and their memory operands.
#include "providers/probe/probe_provider.h"

#include <gtest/gtest.h>

#include "captured_result.h"
#include "providers/provider_registry.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr uint32_t kEchoAll64 = 0xc3000000;
constexpr uint32_t kWriteSome64 = 0xc3000001;
constexpr uint32_t kWho64 = 0xc3000002;
constexpr uint32_t kEchoAll32 = 0x83000000;
constexpr uint32_t kMemReverse64 = 0xc3000003;
constexpr uint32_t kMemXor64 = 0xc3000004;
constexpr uint32_t kMemWhen64 = 0xc3000005;
constexpr uint32_t kMemReverse32 = 0x83000003;
constexpr uint32_t kMemXor32 = 0x83000004;
constexpr uint32_t kMemWhen32 = 0x83000005;

// Handles `call` as the daemon would: w-register semantics both ways.
smccc::Result Handle(smccc::Call call, uint32_t vcpu = 0) {
  ProbeProvider probe;
  smccc::ApplyCallingConvention(call.function_id, call);
  CapturedResult done;
  probe.Handle({"vm", vcpu}, call, done);
  EXPECT_EQ(done.count, 1);
  smccc::ApplyCallingConvention(call.function_id, done.value);
  return done.value;
}

smccc::Call MakeCall(uint32_t fid, uint64_t x1 = 0) {
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = x1;
  return call;
}

TEST(ProbeProviderTest, ClaimsOneRangePerReadMaskAndMemoryOperandList) {
  const smccc::RegisterMask kX1 = 0x2, kX1X2 = 0x6;
  struct Want {
    uint32_t first, last;
    smccc::RegisterMask reads;
    const char* memory;
  };
  const Want want[] = {
      {0x83000000, 0x83000000, 0xfe, "none"},  // x1..x7: all an SMC32 call has.
      {0x83000001, 0x83000002, kX1, "none"},
      {0x83000003, 0x83000003, kX1X2, "x1 -> 64 bytes in; x2 -> 64 bytes out"},
      {0x83000004, 0x83000004, kX1X2, "x1 -> 64 bytes inout"},
      {0x83000005, 0x83000005, kX1X2, "x2 -> 16 bytes out, when (x1 & 0x1) == 0x0"},
      {0x83000006, 0x8300000f, kX1, "none"},
      {0xc3000000, 0xc3000000, 0x3fffe, "none"},  // x1..x17.
      {0xc3000001, 0xc3000002, kX1, "none"},
      {0xc3000003, 0xc3000003, kX1X2, "x1 -> 64 bytes in; x2 -> 64 bytes out"},
      {0xc3000004, 0xc3000004, kX1X2, "x1 -> 64 bytes inout"},
      {0xc3000005, 0xc3000005, kX1X2, "x2 -> 16 bytes out, when (x1 & 0x1) == 0x0"},
      {0xc3000006, 0xc300000f, kX1, "none"},
  };
  std::vector<provider::RangeClaim> claims = ProbeProvider().Claims();
  ASSERT_EQ(claims.size(), std::size(want));
  for (size_t i = 0; i < claims.size(); ++i) {
    EXPECT_EQ(claims[i].range.first, want[i].first) << i;
    EXPECT_EQ(claims[i].range.last, want[i].last) << i;
    EXPECT_EQ(claims[i].args_read_mask, want[i].reads) << i;
    EXPECT_EQ(smccc::DescribeMemoryOperands(claims[i].memory), want[i].memory) << i;
    EXPECT_TRUE(smccc::CheckMemoryOperands(claims[i].memory, claims[i].args_read_mask).ok()) << i;
  }
  // MEM_WHEN's buffer outside guest RAM answers 5.
  EXPECT_EQ(claims[4].memory[0].BadAddressResult(), 5u);
  EXPECT_EQ(claims[10].memory[0].BadAddressResult(), 5u);
  // The others the SMCCC default.
  EXPECT_EQ(claims[2].memory[0].BadAddressResult(),
            static_cast<uint64_t>(smccc::kInvalidParameter));
}

TEST(ProbeProviderTest, EchoAllWritesEveryRegister) {
  smccc::Call call = MakeCall(kEchoAll64);
  for (int i = 1; i <= 17; ++i) call.x[i] = 0x100 + i;
  smccc::Result r = Handle(call);
  EXPECT_EQ(r.written_mask, 0x3ffffu);
  EXPECT_EQ(r.x[0], 0u);
  for (int i = 1; i <= 17; ++i) {
    EXPECT_EQ(r.x[i], 0x100 + i + i * 0x1111111111111111u) << "x" << i;
  }
}

TEST(ProbeProviderTest, EchoAllAsSmc32SeesAndWritesOnlyWRegisters) {
  smccc::Call call = MakeCall(kEchoAll32);
  for (int i = 1; i <= 17; ++i) call.x[i] = 0xdead000000000000u | (0xf0000000u + i);
  smccc::Result r = Handle(call);
  EXPECT_EQ(r.written_mask, 0xffu);
  EXPECT_EQ(r.x[0], 0u);
  for (int i = 1; i <= 7; ++i) {
    EXPECT_EQ(r.x[i], (0xf0000000u + i + i * 0x11111111u) & 0xffffffffu) << "w" << i;
  }
}

TEST(ProbeProviderTest, WriteSomeWritesExactlyTheMaskedRegisters) {
  for (uint64_t mask : {0x0u, 0x2u, 0x20004u, 0x3fffeu, 0xaaaau}) {
    smccc::Result r = Handle(MakeCall(kWriteSome64, mask));
    EXPECT_EQ(r.written_mask, (mask & 0x3fffeu) | 1) << std::hex << mask;
    EXPECT_EQ(r.x[0], 0u);
    for (int i = 1; i <= 17; ++i) {
      if ((mask >> i) & 1) {
        EXPECT_EQ(r.x[i], ~uint64_t(i)) << "x" << i;
      }
    }
  }
}

TEST(ProbeProviderTest, WriteSomeIgnoresBitsOutsideX1ToX17) {
  smccc::Result r = Handle(MakeCall(kWriteSome64, 0xffffffffffffffffu));
  EXPECT_EQ(r.written_mask, 0x3ffffu);
  EXPECT_EQ(r.x[0], 0u);
}

TEST(ProbeProviderTest, WhoNamesTheCallingVcpu) {
  smccc::Result r = Handle(MakeCall(kWho64, 41), 7);
  EXPECT_EQ(r.written_mask, 0x7u);
  EXPECT_EQ(r.x[0], 0u);
  EXPECT_EQ(r.x[1], 7u);
  EXPECT_EQ(r.x[2], 42u);
}

TEST(ProbeProviderTest, SveHintDoesNotChangeTheFunction) {
  smccc::Result r = Handle(MakeCall(kWho64 | smccc::kSveHintBit, 1), 3);
  EXPECT_EQ(r.x[1], 3u);
}

TEST(ProbeProviderTest, OtherIdsInTheRangesAreNotSupported) {
  for (uint32_t fid : {0xc3000006u, 0xc300000fu, 0x83000006u, 0x8300000fu}) {
    smccc::Result r = Handle(MakeCall(fid, 0x3fffe));
    EXPECT_EQ(r.written_mask, 0x1u) << std::hex << fid;
    const uint64_t want = smccc::IsSmc64(fid) ? ~uint64_t{0} : 0xffffffffu;
    EXPECT_EQ(r.x[0], want) << std::hex << fid;
  }
}

// The probe's memory functions get their buffers as the daemon would build
// them from the claims: `memory` holds the IN/INOUT bytes in operand order
// (an OUT buffer gets none).
smccc::Call MemCall(uint32_t fid, uint64_t x1, uint64_t x2, std::vector<std::string> in = {}) {
  smccc::Call call = MakeCall(fid, x1);
  call.x[2] = x2;
  smccc::ApplyCallingConvention(fid, call);
  for (const provider::RangeClaim& claim : ProbeProvider().Claims()) {
    if (!claim.range.Contains(smccc::RoutingId(fid))) continue;
    size_t next_in = 0;
    for (size_t i = 0; i < claim.memory.size(); ++i) {
      const smccc::MemoryOperand& op = claim.memory[i];
      if (!op.AppliesTo(call)) continue;
      call.memory.push_back({.operand = static_cast<int>(i),
                             .guest_phys_addr = call.x[op.address_register],
                             .length = op.length,
                             .direction = op.direction,
                             .data = smccc::ProviderReads(op.direction) ? in.at(next_in++) : ""});
    }
  }
  return call;
}

std::string Bytes(int n, int first) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(first + i));
  return out;
}

TEST(ProbeProviderTest, MemReverseSumsTheInputAndWritesItReversed) {
  for (uint32_t fid : {kMemReverse64, kMemReverse32}) {
    const std::string input = Bytes(64, 0xc0);  // 0xc0..0xff: sum 14304.
    smccc::Result r = Handle(MemCall(fid, 0x40001000, 0x40002000, {input}));
    EXPECT_EQ(r.x[0], 0u) << std::hex << fid;
    EXPECT_EQ(r.x[1], 14304u) << std::hex << fid;
    EXPECT_EQ(r.written_mask, 0x3u) << std::hex << fid;
    ASSERT_EQ(r.memory.size(), 1u) << std::hex << fid;
    EXPECT_EQ(r.memory[0].operand, 1);
    EXPECT_EQ(r.memory[0].data, std::string(input.rbegin(), input.rend()));
  }
}

TEST(ProbeProviderTest, MemXorXorsEachByteWithTheLowByteOfX2AndCountsNonZeroInput) {
  std::string input(64, '\0');
  input[0] = 1;
  input[10] = static_cast<char>(0x80);
  input[63] = static_cast<char>(0xff);
  // SMC32: only w2's low byte counts; the upper half of x2 is not the guest's.
  for (uint32_t fid : {kMemXor64, kMemXor32}) {
    smccc::Result r = Handle(MemCall(fid, 0x40001000, 0xabcd00000000015au, {input}));
    EXPECT_EQ(r.x[0], 0u) << std::hex << fid;
    EXPECT_EQ(r.x[1], 3u) << std::hex << fid;
    ASSERT_EQ(r.memory.size(), 1u) << std::hex << fid;
    EXPECT_EQ(r.memory[0].operand, 0);
    ASSERT_EQ(r.memory[0].data.size(), 64u);
    for (size_t i = 0; i < 64; ++i) {
      EXPECT_EQ(static_cast<uint8_t>(r.memory[0].data[i]), static_cast<uint8_t>(input[i]) ^ 0x5a)
          << i;
    }
  }
}

TEST(ProbeProviderTest, MemWhenWritesItsTextOnlyWhenBitZeroOfX1IsClear) {
  for (uint32_t fid : {kMemWhen64, kMemWhen32}) {
    smccc::Call slow = MemCall(fid, 0x2, 0x40003000);
    ASSERT_EQ(slow.memory.size(), 1u);
    smccc::Result written = Handle(slow);
    EXPECT_EQ(written.x[0], 0u) << std::hex << fid;
    EXPECT_EQ(written.x[1], 16u) << std::hex << fid;
    ASSERT_EQ(written.memory.size(), 1u) << std::hex << fid;
    EXPECT_EQ(written.memory[0].operand, 0);
    EXPECT_EQ(written.memory[0].data, std::string("hypercall-probe\0", 16));

    smccc::Call fast = MemCall(fid, 0x3, 0x40003000);
    EXPECT_TRUE(fast.memory.empty());
    smccc::Result none = Handle(fast);
    EXPECT_EQ(none.x[0], 0u) << std::hex << fid;
    EXPECT_EQ(none.x[1], 0u) << std::hex << fid;
    EXPECT_EQ(none.written_mask, 0x3u) << std::hex << fid;
    EXPECT_TRUE(none.memory.empty()) << std::hex << fid;
  }
  // SMC32 sees w1: a set bit 0 above it does not make the call fast.
  EXPECT_EQ(MemCall(kMemWhen32, 0x100000000u, 0x40003000).memory.size(), 1u);
}

TEST(ProbeProviderTest, MemoryFunctionsWithoutTheirBuffersAreNotSupported) {
  for (uint32_t fid : {kMemReverse64, kMemXor64, kMemWhen64, kMemReverse32}) {
    smccc::Result r = Handle(MakeCall(fid, 0));
    const uint64_t want = smccc::IsSmc64(fid) ? ~uint64_t{0} : 0xffffffffu;
    EXPECT_EQ(r.x[0], want) << std::hex << fid;
    EXPECT_TRUE(r.memory.empty()) << std::hex << fid;
  }
}

TEST(ProbeProviderTest, RegisteredByNameAndOffByDefault) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("probe");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->name(), "probe");
  for (const std::string& name : DefaultProviderNames()) EXPECT_NE(name, "probe");
}

}  // namespace
}  // namespace hypercall::providers
