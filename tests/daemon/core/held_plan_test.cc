// Planning a VM within the plan it holds: what is served, with which reads,
// and what is refused and why.
#include "core/held_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "named_provider.h"

namespace hypercall::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr smccc::FunctionRange kOem{0xc3000000, 0xc30000ff};
const smccc::MemoryOperand kIn8 = smccc::MemoryOperand::At(1, 8, smccc::MemoryDirection::kIn);

// `routes` as a table; each inserts.
RangeTable Table(std::vector<Route> routes) {
  RangeTable table;
  for (Route& route : routes) EXPECT_TRUE(table.Insert(std::move(route)).ok());
  return table;
}

// "first-last provider mask" per route, for readable expectations.
std::vector<std::string> Describe(const RangeTable& table) {
  std::vector<std::string> out;
  for (const Route& route : table.routes()) {
    out.push_back(absl::StrFormat("%x-%x %s 0x%x", route.range.first, route.range.last,
                                  route.provider->name, route.args_read_mask));
  }
  return out;
}

std::vector<std::string> Ranges(const std::vector<RefusedRange>& refused) {
  std::vector<std::string> out;
  for (const RefusedRange& r : refused) {
    out.push_back(absl::StrFormat("%x-%x", r.range.first, r.range.last));
  }
  return out;
}

TEST(HeldPlanTest, AnUnchangedRouteIsServedWholeAndNothingElse) {
  auto oem = Entry("oem");
  RangeTable current = Table({{kOem, 0x6, oem, {}}, {{0xc4000000, 0xc4000001}, 0x2, oem, {}}});
  HeldPlanning planned = PlanWithin(current, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(Describe(*planned.routes), ElementsAre("c3000000-c30000ff oem 0x6"));
  EXPECT_THAT(planned.refused, IsEmpty());
  EXPECT_EQ(planned.routes->routes()[0].provider, oem);
}

// A re-attached VM's observers must not see what a secret range's provider
// answers, as before the re-attach.
TEST(HeldPlanTest, ServedPiecesKeepTheirRoutesSecrecy) {
  RangeTable current = Table({{kOem, 0x6, Entry("oem"), {}, /*secret_results=*/true}});
  HeldPlanning planned = PlanWithin(current, {{{0xc3000000, 0xc300000f}, 0x6, "oem", {}}});
  ASSERT_EQ(planned.routes->routes().size(), 1u);
  EXPECT_TRUE(planned.routes->routes()[0].secret_results);
}

TEST(HeldPlanTest, AProviderReadingFewerRegistersIsServedWithItsOwnReads) {
  RangeTable current = Table({{kOem, 0x2, Entry("oem"), {}}});
  HeldPlanning planned = PlanWithin(current, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(Describe(*planned.routes), ElementsAre("c3000000-c30000ff oem 0x2"));
  EXPECT_THAT(planned.refused, IsEmpty());
}

TEST(HeldPlanTest, AProviderReadingARegisterTheVmDoesNotReadIsRefused) {
  RangeTable current = Table({{kOem, 0xe, Entry("oem"), {}}});
  HeldPlanning planned = PlanWithin(current, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(planned.routes->routes(), IsEmpty());
  ASSERT_THAT(Ranges(planned.refused), ElementsAre("c3000000-c30000ff"));
  EXPECT_EQ(planned.refused[0].reason,
            "provider \"oem\" now reads registers (mask 0xe) the VM does not read (it reads 0x6)");
}

TEST(HeldPlanTest, AnotherProviderOrOtherMemoryOperandsAreRefused) {
  RangeTable other = Table({{kOem, 0x6, Entry("rival"), {}}});
  HeldPlanning planned = PlanWithin(other, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(planned.routes->routes(), IsEmpty());
  ASSERT_EQ(planned.refused.size(), 1u);
  EXPECT_THAT(planned.refused[0].reason,
              HasSubstr("provider \"rival\" serves it now, not \"oem\""));

  RangeTable with_memory = Table({{kOem, 0x6, Entry("oem"), {kIn8}}});
  planned = PlanWithin(with_memory, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(planned.routes->routes(), IsEmpty());
  ASSERT_EQ(planned.refused.size(), 1u);
  EXPECT_EQ(planned.refused[0].reason,
            "provider \"oem\" now passes memory x1 -> 8 bytes in, the VM passes none");
}

TEST(HeldPlanTest, PartsOfAHeldRangeNobodyServesAreRefusedAndTheRestServed) {
  auto oem = Entry("oem");
  // The held range is split now: a compatible part, a gap, an incompatible
  // part, and a gap at the end.
  RangeTable current = Table({{{0xc3000000, 0xc300003f}, 0x2, oem, {}},
                              {{0xc3000080, 0xc30000bf}, 0x1e, oem, {}},
                              {{0xc3000100, 0xc3000200}, 0x2, oem, {}}});
  HeldPlanning planned = PlanWithin(current, {{kOem, 0x6, "oem", {}}});
  EXPECT_THAT(Describe(*planned.routes), ElementsAre("c3000000-c300003f oem 0x2"));
  EXPECT_THAT(Ranges(planned.refused),
              ElementsAre("c3000040-c300007f", "c3000080-c30000bf", "c30000c0-c30000ff"));
  EXPECT_EQ(planned.refused[0].reason, "no provider serves it now");
  EXPECT_THAT(planned.refused[1].reason, HasSubstr("now reads registers (mask 0x1e)"));
  EXPECT_EQ(planned.refused[2].reason, "no provider serves it now");
}

TEST(HeldPlanTest, WithNoRoutesEveryHeldRangeIsRefusedUpToTheLastId) {
  HeldPlanning planned =
      PlanWithin(RangeTable(), {{kOem, 0x6, "oem", {}}, {{0xc7000000, 0xffffffff}, 0, "top", {}}});
  EXPECT_THAT(planned.routes->routes(), IsEmpty());
  EXPECT_THAT(Ranges(planned.refused), ElementsAre("c3000000-c30000ff", "c7000000-ffffffff"));
}

}  // namespace
}  // namespace hypercall::core
