#include "core/range_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/router.h"
#include "named_provider.h"
#include "smccc/known_calls.h"

namespace hypercall::core {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(RangeTableTest, LooksUpOwnersAndMissesGaps) {
  RangeTable table;
  auto trng = Entry("trng");
  auto pv = Entry("pvtime");
  ASSERT_TRUE(table.Insert({{0x84000050, 0x8400005f}, 0x2, trng, {}}).ok());
  ASSERT_TRUE(table.Insert({{0xc5000020, 0xc5000021}, 0x2, pv, {}}).ok());
  ASSERT_TRUE(table.Insert({{0x84000000, 0x8400001f}, 0x0, Entry("psci"), {}}).ok());

  ASSERT_NE(table.Lookup(0x84000050), nullptr);
  EXPECT_EQ(table.Lookup(0x84000050)->provider, trng);
  EXPECT_EQ(table.Lookup(0x8400005f)->provider, trng);
  EXPECT_EQ(table.Lookup(0xc5000021)->provider, pv);
  EXPECT_EQ(table.Lookup(0x84000060), nullptr);
  EXPECT_EQ(table.Lookup(0x8400004f), nullptr);
  EXPECT_EQ(table.Lookup(0x00000000), nullptr);
  EXPECT_EQ(table.Lookup(0xffffffff), nullptr);
  // Kept sorted whatever the insertion order.
  ASSERT_EQ(table.routes().size(), 3u);
  EXPECT_EQ(table.routes()[0].range.first, 0x84000000u);
  EXPECT_EQ(table.routes()[1].range.first, 0x84000050u);
  EXPECT_EQ(table.routes()[2].range.first, 0xc5000020u);
}

TEST(RangeTableTest, LookupStripsTheSveHint) {
  RangeTable table;
  auto trng = Entry("trng");
  ASSERT_TRUE(table.Insert({{0xc4000050, 0xc400005f}, 0x2, trng, {}}).ok());
  const uint32_t hinted = smccc::kTrngRnd64 | smccc::kSveHintBit;
  ASSERT_NE(table.Lookup(hinted), nullptr);
  EXPECT_EQ(table.Lookup(hinted)->provider, trng);
}

TEST(RangeTableTest, RefusesOverlapsNamingBothClaimants) {
  RangeTable table;
  ASSERT_TRUE(table.Insert({{0x84000050, 0x8400005f}, 0x2, Entry("trng"), {}}).ok());
  for (smccc::FunctionRange range :
       {smccc::FunctionRange{0x84000040, 0x84000050}, smccc::FunctionRange{0x8400005f, 0x84000070},
        smccc::FunctionRange{0x84000055, 0x84000056},
        smccc::FunctionRange{0x84000000, 0x840000ff}}) {
    absl::Status status = table.Insert({range, 0x2, Entry("rival"), {}});
    EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
    EXPECT_THAT(status.message(),
                AllOf(HasSubstr("provider \"rival\": range "),
                      HasSubstr("overlaps range 0x84000050-0x8400005f of provider \"trng\": a "
                                "function ID has one owner")));
  }
  EXPECT_EQ(table.routes().size(), 1u);
  // Adjacent ranges do not overlap.
  EXPECT_TRUE(table.Insert({{0x84000060, 0x8400006f}, 0, Entry("next"), {}}).ok());
  EXPECT_TRUE(table.Insert({{0x84000040, 0x8400004f}, 0, Entry("prev"), {}}).ok());
}

TEST(RangeTableTest, RefusesReservedRangesSayingWhy) {
  RangeTable table;
  for (smccc::FunctionRange range :
       {smccc::FunctionRange{0x80000000, 0x80000000}, smccc::FunctionRange{0x8000ffff, 0x80010000},
        smccc::FunctionRange{0xc0000000, 0xc000ffff},
        smccc::FunctionRange{0x7fffffff, 0x80000001}}) {
    absl::Status status = table.Insert({range, 0, Entry("greedy"), {}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.message(),
                AllOf(HasSubstr("provider \"greedy\": range "), HasSubstr("reserved"),
                      HasSubstr("SMCCC_VERSION"), HasSubstr("KVM always answers itself")));
  }
  EXPECT_TRUE(table.routes().empty());
  // Just outside the reserved ranges is fine.
  EXPECT_TRUE(table.Insert({{0x80010000, 0x8001ffff}, 0, Entry("ok"), {}}).ok());
}

TEST(RangeTableTest, RefusesEmptyRangesAndBadMasks) {
  RangeTable table;
  absl::Status empty = table.Insert({{0x84000060, 0x84000050}, 0, Entry("p"), {}});
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(),
            "provider \"p\": range 0x84000060-0x84000050 is empty: first must not be above last");
  absl::Status x0 = table.Insert({{0x84000050, 0x8400005f}, 0x1, Entry("p"), {}});
  EXPECT_EQ(x0.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(x0.message(),
            "provider \"p\": range 0x84000050-0x8400005f: args_read_mask 0x1 names registers "
            "outside x1..x17");
  absl::Status x18 = table.Insert({{0x84000050, 0x8400005f}, 1u << 18, Entry("p"), {}});
  EXPECT_EQ(x18.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.Insert({{0x84000050, 0x8400005f}, 0, nullptr, {}}).code(),
            absl::StatusCode::kInvalidArgument);
}

smccc::MemoryOperand Operand(int address_register, uint32_t length) {
  smccc::MemoryOperand op;
  op.address_register = address_register;
  op.length = length;
  op.direction = smccc::MemoryDirection::kIn;
  return op;
}

TEST(RangeTableTest, KeepsMemoryOperandsWithTheirRoute) {
  RangeTable table;
  ASSERT_TRUE(
      table.Insert({{0xc3000000, 0xc300000f}, 0x6, Entry("oem"), {Operand(1, 64), Operand(2, 8)}})
          .ok());
  const Route* route = table.Lookup(0xc3000003);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->memory, (std::vector<smccc::MemoryOperand>{Operand(1, 64), Operand(2, 8)}));
}

TEST(RangeTableTest, RefusesMemoryOperandsThatBreakTheRulesNamingProviderAndRange) {
  RangeTable table;
  // x2 holds the address, but the range does not read x2.
  absl::Status unread =
      table.Insert({{0xc3000000, 0xc300000f}, 0x2, Entry("oem"), {Operand(2, 64)}});
  EXPECT_EQ(unread.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unread.message(),
              AllOf(HasSubstr("provider \"oem\": range 0xc3000000-0xc300000f: "),
                    HasSubstr("memory operand 0 (x2 -> 64 bytes in) needs registers")));
  absl::Status too_long =
      table.Insert({{0xc3000000, 0xc300000f}, 0x2, Entry("oem"), {Operand(1, 16385)}});
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_long.message(), HasSubstr("length 16385 is outside 1..16384"));
  absl::Status too_many =
      table.Insert({{0xc3000000, 0xc300000f}, 0x2, Entry("oem"), std::vector(5, Operand(1, 1))});
  EXPECT_EQ(too_many.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.message(), HasSubstr("5 memory operands; a range may have at most 4"));
  EXPECT_TRUE(table.routes().empty());
}

TEST(RouterTest, SnapshotsAreUnchangedByLaterPublishes) {
  Router router;
  EXPECT_TRUE(router.Snapshot()->routes().empty());
  auto first = std::make_shared<RangeTable>();
  ASSERT_TRUE(first->Insert({{0x84000050, 0x8400005f}, 0x2, Entry("trng"), {}}).ok());
  router.Publish(first);
  std::shared_ptr<const RangeTable> before = router.Snapshot();
  auto second = std::make_shared<RangeTable>(*first);
  ASSERT_TRUE(second->Insert({{0xc5000020, 0xc5000021}, 0x2, Entry("pvtime"), {}}).ok());
  router.Publish(second);
  EXPECT_EQ(before->routes().size(), 1u);
  EXPECT_EQ(router.Snapshot()->routes().size(), 2u);
}

}  // namespace
}  // namespace hypercall::core
