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

TEST(ConvertTest, RangesGoFromFirstPlusCountToFirstDashLast) {
  v1::Claim claim;
  claim.set_first_function_id(0xc3000000);
  claim.set_count(16);
  absl::StatusOr<smccc::FunctionRange> range = RangeFromProto(claim);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(*range, (smccc::FunctionRange{0xc3000000, 0xc300000f}));
  v1::PlannedRange planned;
  planned.set_first_function_id(0xfffffff0);
  planned.set_count(16);
  EXPECT_EQ(*RangeFromProto(planned), (smccc::FunctionRange{0xfffffff0, 0xffffffff}));
  v1::RangeInfo info;
  info.set_first_function_id(0x84000050);
  info.set_count(1);
  EXPECT_EQ(*RangeFromProto(info), (smccc::FunctionRange{0x84000050, 0x84000050}));
}

TEST(ConvertTest, RefusesEmptyAndWrappingWireRanges) {
  v1::PlannedRange empty;
  empty.set_first_function_id(0xc3000000);
  EXPECT_EQ(RangeFromProto(empty).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RangeFromProto(empty).status().message(),
            "range 0xc3000000+0 is empty: count must be at least 1");
  v1::Claim wraps;
  wraps.set_first_function_id(0xfffffff0);
  wraps.set_count(17);
  EXPECT_EQ(RangeFromProto(wraps).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RangeFromProto(wraps).status().message(), "range 0xfffffff0+17 runs past 0xffffffff");
  v1::RangeInfo huge;
  huge.set_first_function_id(2);
  huge.set_count(0xffffffff);
  EXPECT_FALSE(RangeFromProto(huge).ok());
}

TEST(ConvertTest, SetRangeWritesFirstAndCount) {
  v1::RangeInfo info;
  SetRange({0x84000050, 0x8400005f}, info);
  EXPECT_EQ(info.first_function_id(), 0x84000050u);
  EXPECT_EQ(info.count(), 16u);
  v1::PlannedRange planned;
  SetRange({0xffffffff, 0xffffffff}, planned);
  EXPECT_EQ(planned.first_function_id(), 0xffffffffu);
  EXPECT_EQ(planned.count(), 1u);
}

TEST(ConvertTest, ClaimRoundTrips) {
  smccc::RangeClaim claim{{0xc3001000, 0xc300100f},
                          0x6,
                          {smccc::MemoryOperand::At(1, 64, smccc::MemoryDirection::kIn)},
                          /*secret_results=*/true};
  v1::Claim proto;
  ToProto(claim, proto);
  EXPECT_TRUE(proto.secret_results());
  EXPECT_EQ(proto.first_function_id(), 0xc3001000u);
  EXPECT_EQ(proto.count(), 16u);
  EXPECT_EQ(proto.args_read_mask(), 0x6u);
  ASSERT_EQ(proto.memory_size(), 1);
  absl::StatusOr<smccc::RangeClaim> back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->range, claim.range);
  EXPECT_EQ(back->args_read_mask, claim.args_read_mask);
  EXPECT_EQ(back->memory, claim.memory);
  EXPECT_TRUE(back->secret_results);
}

TEST(ConvertTest, ClaimConversionRefusesABadRangeOrOperand) {
  v1::Claim empty;
  empty.set_first_function_id(0xc3000000);
  EXPECT_EQ(FromProto(empty).status().message(),
            "range 0xc3000000+0 is empty: count must be at least 1");
  v1::Claim no_direction;
  no_direction.set_first_function_id(0xc3000000);
  no_direction.set_count(1);
  no_direction.add_memory()->set_address_register(1);
  EXPECT_EQ(FromProto(no_direction).status().message(),
            "memory operand at x1 has no direction: say IN, OUT or INOUT");
}

}  // namespace
}  // namespace hypercall::wire
