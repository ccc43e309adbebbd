#include "smccc/function_range.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::smccc {
namespace {

TEST(FunctionRangeTest, RangeArithmetic) {
  FunctionRange r{0x84000050, 0x8400005f};
  EXPECT_EQ(r.size(), 16u);
  EXPECT_TRUE(r.Contains(0x84000053));
  EXPECT_FALSE(r.Contains(0x84000060));
  EXPECT_TRUE(r.Overlaps({0x8400005f, 0x84000070}));
  EXPECT_FALSE(r.Overlaps({0x84000060, 0x84000070}));
  EXPECT_EQ((FunctionRange{0, 0xffffffff}).size(), 0x100000000u);
}

TEST(FunctionRangeTest, ContainsARangeOnlyWhenEveryIdIsInIt) {
  FunctionRange r{0x84000050, 0x8400005f};
  EXPECT_TRUE(r.Contains(r));
  EXPECT_TRUE(r.Contains(FunctionRange{0x84000051, 0x84000051}));
  EXPECT_FALSE(r.Contains(FunctionRange{0x8400004f, 0x84000050}));
  EXPECT_FALSE(r.Contains(FunctionRange{0x8400005f, 0x84000060}));
}

TEST(FunctionRangeTest, ReservedRangesAreTheFastArchCalls) {
  EXPECT_NE(OverlappingReservedRange({0x80000000, 0x80000000}), nullptr);
  EXPECT_NE(OverlappingReservedRange({0xc000ffff, 0xc0010000}), nullptr);
  EXPECT_NE(OverlappingReservedRange({0x7fffffff, 0x80000001}), nullptr);
  EXPECT_EQ(OverlappingReservedRange({0x80010000, 0x8001ffff}), nullptr);
  EXPECT_EQ(OverlappingReservedRange({0x84000050, 0x8400005f}), nullptr);
  // PSCI is not reserved: it can be forwarded.
  EXPECT_EQ(OverlappingReservedRange({0x84000000, 0x8400001f}), nullptr);
}

TEST(FunctionRangeTest, DescribesRangesAsFirstDashLast) {
  EXPECT_EQ(DescribeRange({0x84000050, 0x8400005f}), "0x84000050-0x8400005f");
  EXPECT_EQ(DescribeRanges({{0xc4000050, 0xc400005f}, {0x84000050, 0x8400005f}}),
            "0xc4000050-0xc400005f, 0x84000050-0x8400005f");
  EXPECT_EQ(DescribeRanges({}), "none");
}

TEST(FunctionRangeTest, CheckRangeRefusesEmptyRanges) {
  absl::Status status = CheckRange({0xc3000010, 0xc3000001});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "range 0xc3000010-0xc3000001 is empty: first must not be above last");
}

TEST(FunctionRangeTest, CheckRangeRefusesReservedRangesSayingWhy) {
  for (FunctionRange range :
       {FunctionRange{0x80000000, 0x80000000}, FunctionRange{0x7fffffff, 0x80000001},
        FunctionRange{0xc000ffff, 0xc0010000}}) {
    absl::Status status = CheckRange(range);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << DescribeRange(range);
  }
  EXPECT_EQ(CheckRange({0x7fffffff, 0x80000001}).message(),
            "range 0x7fffffff-0x80000001 overlaps the SMCCC-reserved range "
            "0x80000000-0x8000ffff (Arm architecture calls such as SMCCC_VERSION and "
            "ARCH_FEATURES), which KVM always answers itself and never forwards");
  EXPECT_THAT(std::string(CheckRange({0xc000ffff, 0xc0010000}).message()),
              ::testing::HasSubstr("SMCCC-reserved range 0xc0000000-0xc000ffff"));
}

TEST(FunctionRangeTest, CheckRangeAcceptsRangesBesideTheReservedOnes) {
  EXPECT_TRUE(CheckRange({0x80010000, 0x8001ffff}).ok());
  EXPECT_TRUE(CheckRange({0x7fff0000, 0x7fffffff}).ok());
  EXPECT_TRUE(CheckRange({0x84000050, 0x84000050}).ok());
  EXPECT_TRUE(CheckRange({0xfffffff0, 0xffffffff}).ok());
}

TEST(FunctionRangeTest, CheckNoOverlapNamesTheHolder) {
  const FunctionRange held{0x84000050, 0x8400005f};
  absl::Status status =
      CheckNoOverlap({0x8400005f, 0x84000070}, held, "provider \"trng\" (line 2)");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(),
            "range 0x8400005f-0x84000070 overlaps range 0x84000050-0x8400005f of provider "
            "\"trng\" (line 2): a function ID has one owner");
  EXPECT_FALSE(CheckNoOverlap({0x84000000, 0x840000ff}, held, "x").ok());
  EXPECT_FALSE(CheckNoOverlap({0x84000055, 0x84000055}, held, "x").ok());
  // Adjacent ranges do not overlap.
  EXPECT_TRUE(CheckNoOverlap({0x84000060, 0x8400006f}, held, "x").ok());
  EXPECT_TRUE(CheckNoOverlap({0x84000040, 0x8400004f}, held, "x").ok());
}

TEST(FunctionRangeTest, CheckCoveredByAcceptsRangesTheAllowedOnesCoverTogether) {
  const std::vector<FunctionRange> allowed = {{0xc6000041, 0xc6000041}, {0xc6000040, 0xc6000040}};
  EXPECT_TRUE(CheckCoveredBy({0xc6000040, 0xc6000041}, allowed, "x").ok());
  EXPECT_TRUE(CheckCoveredBy({0xc6000041, 0xc6000041}, allowed, "x").ok());
  EXPECT_TRUE(CheckCoveredBy({0xfffffff0, 0xffffffff}, {{0xfffffff0, 0xffffffff}}, "x").ok());
}

TEST(FunctionRangeTest, CheckCoveredByRefusesGapsAndOverhangsListingWhatIsAllowed) {
  const std::vector<FunctionRange> allowed = {{0x84000050, 0x8400005f}, {0xc4000050, 0xc400005f}};
  absl::Status over =
      CheckCoveredBy({0xc4000050, 0xc4000060}, allowed, "built-in provider \"trng\"");
  EXPECT_EQ(over.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(over.message(),
            "range 0xc4000050-0xc4000060 is outside what built-in provider \"trng\" may claim "
            "(0x84000050-0x8400005f, 0xc4000050-0xc400005f)");
  EXPECT_FALSE(CheckCoveredBy({0x8400004f, 0x84000050}, allowed, "x").ok());
  // The gap between two allowed ranges is not covered.
  EXPECT_FALSE(CheckCoveredBy({0x84000050, 0xc4000050}, allowed, "x").ok());
  EXPECT_EQ(CheckCoveredBy({0x84000050, 0x84000050}, {}, "provider \"p\"").message(),
            "range 0x84000050-0x84000050 is outside what provider \"p\" may claim (none)");
}

}  // namespace
}  // namespace hypercall::smccc
