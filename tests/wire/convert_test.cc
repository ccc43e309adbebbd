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

TEST(ConvertTest, CallAndResultCarryMemoryBuffers) {
  smccc::Call call;
  call.function_id = 0xc3000003;
  call.x[1] = 0x1000;
  call.memory.push_back({0, 0x1000, 4, smccc::MemoryDirection::kIn, std::string("ab\0d", 4)});
  call.memory.push_back({1, 0x2000, 4, smccc::MemoryDirection::kOut, ""});
  v1::Call proto;
  ToProto(call, proto);
  ASSERT_EQ(proto.memory_size(), 2);
  EXPECT_EQ(proto.memory(1).direction(), v1::MemoryOperand::OUT);
  auto back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->memory, call.memory);

  smccc::Result result;
  result.memory.push_back({1, 0, 0, smccc::MemoryDirection::kIn, "wxyz"});
  v1::Result result_proto;
  ToProto(result, result_proto);
  auto result_back = FromProto(result_proto);
  ASSERT_TRUE(result_back.ok()) << result_back.status();
  ASSERT_EQ(result_back->memory.size(), 1u);
  EXPECT_EQ(result_back->memory[0].operand, 1);
  EXPECT_EQ(result_back->memory[0].data, "wxyz");
}

TEST(ConvertTest, RefusesMalformedMemoryBuffers) {
  v1::Call call;
  call.set_conduit(v1::CONDUIT_HVC);
  call.add_memory()->set_operand(0);  // no direction
  EXPECT_NE(FromProto(call).status().message().find("no direction"), std::string::npos);

  v1::Result result;
  result.add_memory()->set_data(std::string(smccc::kMaxMemoryOperandBytes + 1, 'x'));
  EXPECT_NE(FromProto(result).status().message().find("at most 16384"), std::string::npos);
  v1::Result many;
  for (int i = 0; i < 5; ++i) many.add_memory()->set_operand(i);
  EXPECT_NE(FromProto(many).status().message().find("5 memory buffers"), std::string::npos);
}

TEST(ConvertTest, MemoryOperandRoundTripsAndNeedsADirection) {
  smccc::MemoryOperand op;
  op.address_register = 2;
  op.length = 4096;
  op.direction = smccc::MemoryDirection::kInOut;
  op.when_register = 1;
  op.when_mask = 0x10000;
  op.bad_address_x0 = 5;
  v1::MemoryOperand proto;
  ToProto(op, proto);
  auto back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, op);

  proto.set_direction(v1::MemoryOperand::DIRECTION_UNSPECIFIED);
  EXPECT_NE(FromProto(proto).status().message().find("IN, OUT or INOUT"), std::string::npos);
}

}  // namespace
}  // namespace hypercall::wire
