#include "wire/convert.h"

#include <gtest/gtest.h>

#include "smccc/known_calls.h"

namespace hypercall::wire {
namespace {

TEST(ConvertTest, CallRoundTripsAndDropsTrailingZeros) {
  smccc::Call call;
  call.function_id = smccc::kTrngRnd64;
  call.conduit = smccc::Conduit::kSmc;
  call.x[1] = 192;
  call.x[3] = 7;
  call.args_read_mask = 0b1010;
  v1::Call proto;
  ToProto(call, proto);
  EXPECT_EQ(proto.args_size(), 3);
  EXPECT_EQ(proto.conduit(), v1::CONDUIT_SMC);
  auto back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->function_id, call.function_id);
  EXPECT_EQ(back->conduit, call.conduit);
  EXPECT_EQ(back->x, call.x);
  EXPECT_EQ(back->args_read_mask, call.args_read_mask);
}

TEST(ConvertTest, ResultRoundTripsAll18Registers) {
  smccc::Result result;
  for (int i = 0; i < smccc::kNumRegisters; ++i) result.Set(i, 0x1000 + i);
  v1::Result proto;
  ToProto(result, proto);
  EXPECT_EQ(proto.regs_size(), 18);
  auto back = FromProto(proto);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->x, result.x);
  EXPECT_EQ(back->written_mask, smccc::kAllResultRegisters);
}

TEST(ConvertTest, RefusesTooManyArgumentsSayingTheLimit) {
  v1::Call proto;
  proto.set_conduit(v1::CONDUIT_HVC);
  for (int i = 0; i < 18; ++i) proto.add_args(i);
  auto call = FromProto(proto);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(call.status().message().find("at most 17"), std::string::npos);
}

TEST(ConvertTest, RefusesAMissingConduit) {
  v1::Call proto;
  auto call = FromProto(proto);
  ASSERT_FALSE(call.ok());
  EXPECT_NE(call.status().message().find("conduit"), std::string::npos);
}

TEST(ConvertTest, RefusesResultsBeyondX17) {
  v1::Result too_many;
  for (int i = 0; i < 19; ++i) too_many.add_regs(i);
  EXPECT_FALSE(FromProto(too_many).ok());
  v1::Result bad_mask;
  bad_mask.set_written_mask(1u << 18);
  EXPECT_FALSE(FromProto(bad_mask).ok());
}

TEST(ConvertTest, ResultAlwaysMarksX0Written) {
  v1::Result proto;
  auto result = FromProto(proto);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->written_mask, 1u);
}

}  // namespace
}  // namespace hypercall::wire
