// The probe provider on its own: each function's registers, the w-register
// view the daemon gives SMC32 calls, and claims with tight read masks.
#include "providers/probe/probe_provider.h"

#include <gtest/gtest.h>

#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr uint32_t kEchoAll64 = 0xc3000000;
constexpr uint32_t kWriteSome64 = 0xc3000001;
constexpr uint32_t kWho64 = 0xc3000002;
constexpr uint32_t kEchoAll32 = 0x83000000;

// Captures the one result a provider hands back.
class CapturedResult final : public Completion {
 public:
  void Complete(const smccc::Result& result) override {
    ++count;
    value = result;
  }
  int count = 0;
  smccc::Result value;
};

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

TEST(ProbeProviderTest, ClaimsOneRangePerReadMask) {
  std::vector<RangeClaim> claims = ProbeProvider().Claims();
  ASSERT_EQ(claims.size(), 4u);
  EXPECT_EQ(claims[0].range.first, 0x83000000u);
  EXPECT_EQ(claims[0].range.last, 0x83000000u);
  EXPECT_EQ(claims[0].args_read_mask, 0xfeu);  // x1..x7: all an SMC32 call has.
  EXPECT_EQ(claims[1].range.first, 0x83000001u);
  EXPECT_EQ(claims[1].range.last, 0x8300000fu);
  EXPECT_EQ(claims[1].args_read_mask, 0x2u);
  EXPECT_EQ(claims[2].range.first, 0xc3000000u);
  EXPECT_EQ(claims[2].range.last, 0xc3000000u);
  EXPECT_EQ(claims[2].args_read_mask, 0x3fffeu);  // x1..x17.
  EXPECT_EQ(claims[3].range.first, 0xc3000001u);
  EXPECT_EQ(claims[3].range.last, 0xc300000fu);
  EXPECT_EQ(claims[3].args_read_mask, 0x2u);
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
  for (uint32_t fid : {0xc3000003u, 0xc300000fu, 0x83000003u, 0x8300000fu}) {
    smccc::Result r = Handle(MakeCall(fid, 0x3fffe));
    EXPECT_EQ(r.written_mask, 0x1u) << std::hex << fid;
    const uint64_t want = smccc::IsSmc64(fid) ? ~uint64_t{0} : 0xffffffffu;
    EXPECT_EQ(r.x[0], want) << std::hex << fid;
  }
}

}  // namespace
}  // namespace hypercall::providers
