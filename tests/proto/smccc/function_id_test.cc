#include "smccc/function_id.h"

#include <gtest/gtest.h>

#include "smccc/known_calls.h"

namespace hypercall::smccc {
namespace {

TEST(FunctionIdTest, DecodesTheFieldsOfTrngRnd64) {
  constexpr uint32_t fid = kTrngRnd64;  // 0xC4000053
  EXPECT_TRUE(IsFastCall(fid));
  EXPECT_TRUE(IsSmc64(fid));
  EXPECT_EQ(OwnerOf(fid), 4u);
  EXPECT_EQ(FunctionNumber(fid), 0x53u);
  EXPECT_FALSE(HasSveHint(fid));
}

TEST(FunctionIdTest, DecodesAYieldingSmc64HyperVCall) {
  constexpr uint32_t fid = kHyperVHypercall;  // 0x46000001
  EXPECT_FALSE(IsFastCall(fid));
  EXPECT_TRUE(IsSmc64(fid));
  EXPECT_EQ(OwnerOf(fid), 6u);
  EXPECT_EQ(FunctionNumber(fid), 1u);
}

TEST(FunctionIdTest, RoutingIdStripsOnlyTheSveHint) {
  EXPECT_EQ(RoutingId(kTrngRnd64 | kSveHintBit), kTrngRnd64);
  EXPECT_EQ(RoutingId(kTrngRnd64), kTrngRnd64);
  EXPECT_EQ(RoutingId(0xffffffff), 0xfffeffffu);
}

TEST(FunctionIdTest, MakeFunctionIdRoundTrips) {
  EXPECT_EQ(MakeFunctionId(true, true, 4, 0x53), kTrngRnd64);
  EXPECT_EQ(MakeFunctionId(true, false, 4, 0x50), kTrngVersion);
  EXPECT_EQ(MakeFunctionId(false, true, 6, 1), kHyperVHypercall);
}

TEST(FunctionIdTest, OwnerNames) {
  EXPECT_EQ(OwnerName(0), "Arm Architecture");
  EXPECT_EQ(OwnerName(4), "Standard Secure");
  EXPECT_EQ(OwnerName(5), "Standard Hypervisor");
  EXPECT_EQ(OwnerName(6), "Vendor Hypervisor");
  EXPECT_EQ(OwnerName(20), "Reserved");
  EXPECT_EQ(OwnerName(48), "Trusted Application");
  EXPECT_EQ(OwnerName(63), "Trusted OS");
}

TEST(FunctionIdTest, OwnerShortNames) {
  EXPECT_EQ(OwnerShortName(0), "Arch");
  EXPECT_EQ(OwnerShortName(4), "StdSecure");
  EXPECT_EQ(OwnerShortName(7), "VendorEL3");
  EXPECT_EQ(OwnerShortName(20), "Reserved");
  EXPECT_EQ(OwnerShortName(49), "TrustedApp");
  EXPECT_EQ(OwnerShortName(50), "TrustedOS");
}

TEST(FunctionIdTest, DescribeNamesEveryField) {
  EXPECT_EQ(DescribeFunctionId(kTrngRnd64), "fast SMC64 owner=4(Standard Secure) fn=0x0053");
  EXPECT_EQ(DescribeFunctionId(kHyperVHypercall | kSveHintBit),
            "yielding SMC64 owner=6(Vendor Hypervisor) fn=0x0001 sve-hint");
}

}  // namespace
}  // namespace hypercall::smccc
