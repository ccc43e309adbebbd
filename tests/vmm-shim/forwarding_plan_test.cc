#include "hypercall/shim/forwarding_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::shim {
namespace {

using ::testing::HasSubstr;

v1::ForwardingPlan Proto(std::initializer_list<std::tuple<uint32_t, uint32_t, uint32_t>> ranges) {
  v1::ForwardingPlan plan;
  for (const auto& [first, count, mask] : ranges) {
    v1::PlannedRange* r = plan.add_ranges();
    r->set_first_function_id(first);
    r->set_count(count);
    r->set_args_read_mask(mask);
    r->set_provider("p");
  }
  return plan;
}

// The TRNG ranges, reading x1; and a range reading every argument register.
ForwardingPlan TestPlan() {
  return *ForwardingPlan::FromProto(
      Proto({{0x84000050, 16, 0x2}, {0x86000000, 2, 0x3fffe}, {0xc4000050, 16, 0x2}}));
}

TEST(ForwardingPlanTest, FindsTheRangeHoldingAnId) {
  ForwardingPlan plan = TestPlan();
  ASSERT_NE(plan.Find(0x84000050), nullptr);
  EXPECT_EQ(plan.Find(0x84000050)->first, 0x84000050u);
  EXPECT_EQ(plan.Find(0x8400005f)->first, 0x84000050u);
  EXPECT_EQ(plan.Find(0xc4000053)->first, 0xc4000050u);
  EXPECT_EQ(plan.Find(0x86000001)->first, 0x86000000u);
}

TEST(ForwardingPlanTest, IdsJustOutsideARangeAreNotPlanned) {
  ForwardingPlan plan = TestPlan();
  EXPECT_EQ(plan.Find(0x8400004f), nullptr);
  EXPECT_EQ(plan.Find(0x84000060), nullptr);
  EXPECT_EQ(plan.Find(0x86000002), nullptr);
  EXPECT_EQ(plan.Find(0), nullptr);
  EXPECT_EQ(plan.Find(0xffffffff), nullptr);
  EXPECT_EQ(plan.Find(0xc2000001), nullptr);
}

TEST(ForwardingPlanTest, LookupStripsTheSveHint) {
  ForwardingPlan plan = TestPlan();
  ASSERT_NE(plan.Find(0xc4010053), nullptr);
  EXPECT_EQ(plan.Find(0xc4010053)->first, 0xc4000050u);
}

TEST(ForwardingPlanTest, Smc64CallsReadTheRangesMask) {
  ForwardingPlan plan = TestPlan();
  EXPECT_EQ(plan.ArgsToRead(0xc4000053), 0x2u);
  EXPECT_EQ(plan.ArgsToRead(0xc2000001), 0u);
}

TEST(ForwardingPlanTest, Smc32CallsReadOnlyW1ToW7) {
  ForwardingPlan plan = TestPlan();
  // 0x86000000 is an SMC32 ID in a range whose provider reads x1..x17.
  EXPECT_EQ(plan.ArgsToRead(0x86000000), 0xfeu);
  EXPECT_EQ(plan.ArgsToRead(0x84000053), 0x2u);
}

TEST(ForwardingPlanTest, AcceptsARangeEndingAtTheTopOfTheIdSpace) {
  auto plan = ForwardingPlan::FromProto(Proto({{0xfffffff0, 16, 0}}));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->ranges().size(), 1u);
}

struct BadPlan {
  v1::ForwardingPlan proto;
  const char* says;
};

class MalformedPlanTest : public ::testing::TestWithParam<BadPlan> {};

TEST_P(MalformedPlanTest, IsRefusedNamingTheRange) {
  auto plan = ForwardingPlan::FromProto(GetParam().proto);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("plan range"));
  EXPECT_THAT(plan.status().message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Plans, MalformedPlanTest,
    ::testing::Values(BadPlan{Proto({{0x84000050, 0, 0x2}}), "empty"},
                      BadPlan{Proto({{0xfffffff0, 17, 0}}), "wraps"},
                      BadPlan{Proto({{0xc4000050, 16, 0}, {0x84000050, 16, 0}}), "out of order"},
                      BadPlan{Proto({{0x84000050, 16, 0}, {0x8400005f, 4, 0}}), "overlaps"},
                      BadPlan{Proto({{0x84000050, 16, 0x1}}), "outside x1..x17"},
                      BadPlan{Proto({{0x84000050, 16, 0x40000}}), "outside x1..x17"}));

TEST(ForwardingPlanTest, EqualityComparesEveryField) {
  EXPECT_EQ(TestPlan(), TestPlan());
  auto other = ForwardingPlan::FromProto(Proto({{0x84000050, 16, 0x6}}));
  EXPECT_FALSE(*other == TestPlan());
}

TEST(ForwardingPlanTest, DescribeListsRanges) {
  EXPECT_EQ(ForwardingPlan().Describe(), "(empty)");
  EXPECT_THAT(TestPlan().Describe(), HasSubstr("0x84000050+16 (p, reads mask 0x2)"));
}

}  // namespace
}  // namespace hypercall::shim
