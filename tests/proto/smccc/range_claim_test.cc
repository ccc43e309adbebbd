#include "smccc/range_claim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::smccc {
namespace {

using ::testing::HasSubstr;

MemoryOperand In(int address_register, uint32_t length) {
  return MemoryOperand::At(address_register, length, MemoryDirection::kIn);
}

TEST(RangeClaimTest, CheckClaimAcceptsAGoodClaim) {
  EXPECT_TRUE(CheckClaim({{0xc3000000, 0xc300000f}, 0x6, {In(1, 64), In(2, 8)}}).ok());
  EXPECT_TRUE(CheckClaim({{0xc3000000, 0xc3000000}, kAllArgRegisters, {}}).ok());
  EXPECT_TRUE(CheckClaim({{0xc3000000, 0xc3000000}, 0, {}}).ok());
}

TEST(RangeClaimTest, CheckClaimAppliesTheRangeRules) {
  absl::Status empty = CheckClaim({{0xc3000010, 0xc3000001}, 0, {}});
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), CheckRange({0xc3000010, 0xc3000001}).message());
  absl::Status reserved = CheckClaim({{0xc0000000, 0xc0000001}, 0x2, {}});
  EXPECT_EQ(reserved.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reserved.message(), HasSubstr("overlaps the SMCCC-reserved range"));
}

TEST(RangeClaimTest, CheckClaimRefusesRegistersOutsideX1ToX17) {
  for (RegisterMask mask : {RegisterMask{0x1}, RegisterMask{1u << 18}, RegisterMask{0x80000002}}) {
    absl::Status status = CheckClaim({{0xc3000000, 0xc300000f}, mask, {}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << mask;
  }
  EXPECT_EQ(CheckClaim({{0xc3000000, 0xc300000f}, 0x3, {}}).message(),
            "range 0xc3000000-0xc300000f: args_read_mask 0x3 names registers outside x1..x17");
}

TEST(RangeClaimTest, CheckClaimRefusesMemoryOperandsBreakingTheRulesNamingTheRange) {
  absl::Status unread = CheckClaim({{0xc3000000, 0xc300000f}, 0x2, {In(2, 64)}});
  EXPECT_EQ(unread.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unread.message(), "range 0xc3000000-0xc300000f: " +
                                  std::string(CheckMemoryOperands({In(2, 64)}, 0x2).message()));
  absl::Status length = CheckClaim({{0xc3000000, 0xc300000f}, 0x2, {In(1, 0)}});
  EXPECT_THAT(length.message(),
              HasSubstr("range 0xc3000000-0xc300000f: memory operand 0: length 0 is outside"));
}

class ClaimWithinTest : public ::testing::Test {
 protected:
  const std::vector<RangeClaim> allowed_ = {
      {{0xc3000000, 0xc30000ff}, 0x6, {}},
      {{0xc3000100, 0xc300010f}, 0x6, {In(1, 64), MemoryOperand::At(2, 64, MemoryDirection::kOut)}},
      {{0x83000000, 0x830000ff}, 0x2, {}},
  };
  static constexpr const char* kOwner = "provider \"oem\"";
};

TEST_F(ClaimWithinTest, AcceptsAPartOfOneAllowedClaim) {
  EXPECT_TRUE(CheckClaimWithin({{0xc3000000, 0xc30000ff}, 0x6, {}}, allowed_, kOwner).ok());
  EXPECT_TRUE(CheckClaimWithin({{0xc3000010, 0xc3000010}, 0x2, {}}, allowed_, kOwner).ok());
  EXPECT_TRUE(CheckClaimWithin({{0x83000000, 0x83000000}, 0, {}}, allowed_, kOwner).ok());
  EXPECT_TRUE(
      CheckClaimWithin({{0xc3000100, 0xc3000103}, 0x6, allowed_[1].memory}, allowed_, kOwner).ok());
}

TEST_F(ClaimWithinTest, RefusesRangesOutsideListingTheAllowedOnes) {
  absl::Status status = CheckClaimWithin({{0xc30000f0, 0xc3000200}, 0, {}}, allowed_, kOwner);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "range 0xc30000f0-0xc3000200 is outside what provider \"oem\" may claim "
            "(0xc3000000-0xc30000ff, 0xc3000100-0xc300010f, 0x83000000-0x830000ff)");
  EXPECT_THAT(
      std::string(CheckClaimWithin({{0xc3000000, 0xc3000000}, 0, {}}, {}, kOwner).message()),
      HasSubstr("may claim (none)"));
}

TEST_F(ClaimWithinTest, RefusesARangeSpanningTwoAllowedOnes) {
  absl::Status status = CheckClaimWithin({{0xc30000f0, 0xc3000100}, 0, {}}, allowed_, kOwner);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "range 0xc30000f0-0xc3000100 spans more than one range provider \"oem\" may claim "
            "(0xc3000000-0xc30000ff, 0xc3000100-0xc300010f, 0x83000000-0x830000ff): claim each "
            "on its own");
}

TEST_F(ClaimWithinTest, RefusesReadingMoreRegistersNamingThem) {
  absl::Status status = CheckClaimWithin({{0xc3000000, 0xc3000000}, 0x3e, {}}, allowed_, kOwner);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "range 0xc3000000-0xc3000000 reads x3-x5, but provider \"oem\" may read only x1-x2 "
            "in range 0xc3000000-0xc30000ff");
  EXPECT_THAT(
      std::string(
          CheckClaimWithin({{0x83000000, 0x83000000}, 0x28, {}}, allowed_, kOwner).message()),
      HasSubstr("reads x3, x5, but provider \"oem\" may read only x1 in"));
  EXPECT_THAT(std::string(CheckClaimWithin({{0x83000000, 0x83000000}, 0x4, {}},
                                           {{{0x83000000, 0x830000ff}, 0, {}}}, kOwner)
                              .message()),
              HasSubstr("may read only no registers"));
}

TEST_F(ClaimWithinTest, RefusesMemoryOperandsNotExactlyTheAllowedOnes) {
  absl::Status none = CheckClaimWithin({{0xc3000100, 0xc3000100}, 0x6, {}}, allowed_, kOwner);
  EXPECT_EQ(none.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(none.message(),
            "range 0xc3000100-0xc3000100 passes memory none, but provider \"oem\" passes x1 -> 64 "
            "bytes in; x2 -> 64 bytes out in range 0xc3000100-0xc300010f: claim exactly those, "
            "in that order");
  std::vector<MemoryOperand> swapped = {allowed_[1].memory[1], allowed_[1].memory[0]};
  EXPECT_THAT(
      std::string(
          CheckClaimWithin({{0xc3000100, 0xc3000100}, 0x6, swapped}, allowed_, kOwner).message()),
      HasSubstr("passes memory x2 -> 64 bytes out; x1 -> 64 bytes in, but"));
  std::vector<MemoryOperand> bad_x0 = allowed_[1].memory;
  bad_x0[1].bad_address_x0 = 5;
  EXPECT_THAT(
      std::string(
          CheckClaimWithin({{0xc3000100, 0xc3000100}, 0x6, bad_x0}, allowed_, kOwner).message()),
      HasSubstr("(operand 1: x0 0x5 for a bad address), but provider \"oem\" passes"));
  EXPECT_THAT(std::string(CheckClaimWithin({{0xc3000000, 0xc3000000}, 0x6, allowed_[1].memory},
                                           allowed_, kOwner)
                              .message()),
              HasSubstr("but provider \"oem\" passes none in range 0xc3000000-0xc30000ff"));
}

TEST_F(ClaimWithinTest, KeepsResultsSecretOnlyWhereThePlanDoes) {
  const std::vector<RangeClaim> allowed = {
      allowed_[0], {{0xc3000200, 0xc30002ff}, 0x2, {}, /*secret_results=*/true}};
  const RangeClaim secret{{0xc3000000, 0xc3000000}, 0x2, {}, /*secret_results=*/true};
  absl::Status status = CheckClaimWithin(secret, allowed, kOwner);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "range 0xc3000000-0xc3000000 keeps its results secret, but provider \"oem\" is "
            "planned to show them in range 0xc3000000-0xc30000ff: mark that range "
            "secret_results");
  EXPECT_TRUE(CheckClaimWithin({{0xc3000200, 0xc3000200}, 0x2, {}, true}, allowed, kOwner).ok());
  // Results the plan keeps secret stay secret whatever the claim says.
  EXPECT_TRUE(CheckClaimWithin({{0xc3000200, 0xc3000200}, 0x2, {}}, allowed, kOwner).ok());
}

}  // namespace
}  // namespace hypercall::smccc
