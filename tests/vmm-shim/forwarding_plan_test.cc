#include "hypercall/shim/forwarding_plan.h"

#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/vmm.pb.h"

namespace hypercall::shim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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
                      BadPlan{Proto({{0xfffffff0, 17, 0}}), "runs past 0xffffffff"},
                      BadPlan{Proto({{0xc0000000, 16, 0}}), "SMCCC-reserved"},
                      BadPlan{Proto({{0xc4000050, 16, 0}, {0x84000050, 16, 0}}), "out of order"},
                      BadPlan{Proto({{0x84000050, 16, 0}, {0x8400005f, 4, 0}}),
                              "plan range 1: range 0x8400005f-0x84000062 overlaps range "
                              "0x84000050-0x8400005f of provider \"p\" (plan range 0)"},
                      BadPlan{Proto({{0x84000050, 16, 0x1}}), "outside x1..x17"},
                      BadPlan{Proto({{0x84000050, 16, 0x40000}}), "outside x1..x17"}));

// 0xc3000003 reading x1 and x2, passing [0] x1 -> 64 bytes in and
// [1] x2 -> 16 bytes out when (x1 & 1) == 0, with bad-address x0 5.
v1::ForwardingPlan MemoryProto() {
  v1::ForwardingPlan plan = Proto({{0xc3000003, 1, 0x6}});
  v1::MemoryOperand* in = plan.mutable_ranges(0)->add_memory();
  in->set_address_register(1);
  in->set_length(64);
  in->set_direction(v1::MemoryOperand::IN);
  v1::MemoryOperand* out = plan.mutable_ranges(0)->add_memory();
  out->set_address_register(2);
  out->set_length(16);
  out->set_direction(v1::MemoryOperand::OUT);
  out->set_when_register(1);
  out->set_when_mask(1);
  out->set_when_value(0);
  out->set_bad_address_x0(5);
  return plan;
}

TEST(ForwardingPlanTest, CarriesEachRangesMemoryOperandsInOrder) {
  absl::StatusOr<ForwardingPlan> plan = ForwardingPlan::FromProto(MemoryProto());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const PlannedRange* range = plan->Find(0xc3000003);
  ASSERT_NE(range, nullptr);
  ASSERT_EQ(range->memory.size(), 2u);
  smccc::MemoryOperand in;
  in.address_register = 1;
  in.length = 64;
  in.direction = smccc::MemoryDirection::kIn;
  EXPECT_EQ(range->memory[0], in);
  smccc::MemoryOperand out;
  out.address_register = 2;
  out.length = 16;
  out.direction = smccc::MemoryDirection::kOut;
  out.when_register = 1;
  out.when_mask = 1;
  out.bad_address_x0 = 5;
  EXPECT_EQ(range->memory[1], out);
  EXPECT_TRUE(TestPlan().ranges()[0].memory.empty());
  EXPECT_THAT(plan->Describe(),
              HasSubstr("0xc3000003+1 (p, reads mask 0x6, memory x1 -> 64 bytes in; x2 -> 16 "
                        "bytes out, when (x1 & 0x1) == 0x0)"));
  EXPECT_THAT(TestPlan().Describe(), Not(HasSubstr("memory")));
}

TEST(ForwardingPlanTest, MalformedMemoryOperandsAreRefusedNamingTheRange) {
  struct Case {
    std::function<void(v1::PlannedRange&)> spoil;
    const char* says;
  };
  const Case cases[] = {
      {[](v1::PlannedRange& r) { r.set_args_read_mask(0x2); }, "does not read"},
      {[](v1::PlannedRange& r) { r.mutable_memory(0)->set_length(0); }, "length 0"},
      {[](v1::PlannedRange& r) { r.mutable_memory(0)->set_length(16385); }, "length 16385"},
      {[](v1::PlannedRange& r) { r.mutable_memory(0)->set_address_register(0); },
       "address_register 0"},
      {[](v1::PlannedRange& r) { r.mutable_memory(0)->clear_direction(); }, "direction"},
      {[](v1::PlannedRange& r) { r.mutable_memory(1)->set_when_value(2); }, "never applies"},
      {[](v1::PlannedRange& r) {
         for (int i = 0; i < 3; ++i) *r.add_memory() = r.memory(0);
       },
       "at most 4"},
  };
  for (const Case& c : cases) {
    v1::ForwardingPlan proto = MemoryProto();
    c.spoil(*proto.mutable_ranges(0));
    absl::StatusOr<ForwardingPlan> plan = ForwardingPlan::FromProto(proto);
    ASSERT_FALSE(plan.ok()) << c.says;
    EXPECT_TRUE(absl::IsInvalidArgument(plan.status())) << plan.status();
    EXPECT_THAT(plan.status().message(), HasSubstr("plan range 0: range 0xc3000003-0xc3000003: "));
    EXPECT_THAT(plan.status().message(), HasSubstr(c.says));
  }
}

TEST(ForwardingPlanTest, EqualityComparesEveryField) {
  EXPECT_EQ(TestPlan(), TestPlan());
  auto other = ForwardingPlan::FromProto(Proto({{0x84000050, 16, 0x6}}));
  EXPECT_FALSE(*other == TestPlan());
  v1::ForwardingPlan longer = MemoryProto();
  longer.mutable_ranges(0)->mutable_memory(0)->set_length(65);
  EXPECT_EQ(*ForwardingPlan::FromProto(MemoryProto()), *ForwardingPlan::FromProto(MemoryProto()));
  EXPECT_FALSE(*ForwardingPlan::FromProto(longer) == *ForwardingPlan::FromProto(MemoryProto()));
}

TEST(ForwardingPlanTest, DescribeListsRanges) {
  EXPECT_EQ(ForwardingPlan().Describe(), "(empty)");
  EXPECT_THAT(TestPlan().Describe(), HasSubstr("0x84000050+16 (p, reads mask 0x2)"));
  EXPECT_THAT(TestPlan().Describe(), Not(HasSubstr("stolen")));
}

v1::ForwardingPlan PvTimeProto(std::initializer_list<uint64_t> records) {
  v1::ForwardingPlan plan = Proto({{0xc5000020, 2, 0x2}});
  for (uint64_t record : records) plan.add_stolen_time_records(record);
  return plan;
}

TEST(ForwardingPlanTest, KeepsStolenTimeRecordsInVcpuOrder) {
  absl::StatusOr<ForwardingPlan> plan =
      ForwardingPlan::FromProto(PvTimeProto({0x90a0000, 0x90a0040}));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->stolen_time_records(), ::testing::ElementsAre(0x90a0000u, 0x90a0040u));
  EXPECT_THAT(plan->Describe(),
              HasSubstr("stolen-time records for 2 vCPUs, vCPU 0's at 0x90a0000"));
  EXPECT_TRUE(TestPlan().stolen_time_records().empty());
  // A re-attach that moves the records is a different plan.
  EXPECT_FALSE(*plan == *ForwardingPlan::FromProto(PvTimeProto({0x90a0000, 0x90a0080})));
}

TEST(ForwardingPlanTest, RefusesAStolenTimeRecordNotOn64Bytes) {
  absl::StatusOr<ForwardingPlan> plan =
      ForwardingPlan::FromProto(PvTimeProto({0x90a0000, 0x90a0020}));
  EXPECT_TRUE(absl::IsInvalidArgument(plan.status())) << plan.status();
  EXPECT_THAT(plan.status().message(), HasSubstr("vCPU 1, 0x90a0020, is not 64-byte aligned"));
}

TEST(ForwardingPlanTest, ForwardsSaysWhetherAnIdIsPlanned) {
  EXPECT_TRUE(TestPlan().Forwards(0x84000050));
  EXPECT_TRUE(TestPlan().Forwards(0xc4000053));
  EXPECT_FALSE(TestPlan().Forwards(0xc5000020));
}

}  // namespace
}  // namespace hypercall::shim
