#include "smccc/memory_operand.h"

#include <gtest/gtest.h>

#include "smccc/return_codes.h"

namespace hypercall::smccc {
namespace {

constexpr RegisterMask Regs(std::initializer_list<int> regs) {
  RegisterMask mask = 0;
  for (int r : regs) mask |= RegisterMask{1} << r;
  return mask;
}

TEST(MemoryOperandTest, AppliesAlwaysWithoutCondition) {
  Call call;
  call.function_id = 0xc3000003;
  EXPECT_TRUE(MemoryOperand::At(1, 64, MemoryDirection::kIn).AppliesTo(call));
}

TEST(MemoryOperandTest, ConditionOnARegister) {
  MemoryOperand op = MemoryOperand::At(2, 16, MemoryDirection::kOut);
  op.when_register = 1;
  op.when_mask = 0x10000;
  op.when_value = 0;
  Call call;
  call.function_id = 0xc6000001;
  call.x[1] = 0x10003;  // fast bit set
  EXPECT_FALSE(op.AppliesTo(call));
  call.x[1] = 0x3;
  EXPECT_TRUE(op.AppliesTo(call));
  EXPECT_EQ(op.RegistersRead(), Regs({1, 2}));
}

TEST(MemoryOperandTest, ConditionOnTheFunctionIdIgnoresTheSveHint) {
  MemoryOperand op = MemoryOperand::At(1, 8, MemoryDirection::kIn);
  op.when_mask = 0xffffffff;
  op.when_value = 0xc3000004;
  Call call;
  call.function_id = 0xc3000004 | 0x10000;
  EXPECT_TRUE(op.AppliesTo(call));
  call.function_id = 0xc3000005;
  EXPECT_FALSE(op.AppliesTo(call));
  EXPECT_EQ(op.RegistersRead(), Regs({1}));
}

TEST(MemoryOperandTest, Smc32CallsHaveNoAddressBeyondW7) {
  Call call;
  call.function_id = 0x83000003;
  EXPECT_TRUE(MemoryOperand::At(7, 8, MemoryDirection::kIn).AppliesTo(call));
  EXPECT_FALSE(MemoryOperand::At(8, 8, MemoryDirection::kIn).AppliesTo(call));
  call.function_id = 0xc3000003;
  EXPECT_TRUE(MemoryOperand::At(8, 8, MemoryDirection::kIn).AppliesTo(call));
}

TEST(MemoryOperandTest, BadAddressResultDefaultsToInvalidParameter) {
  MemoryOperand op = MemoryOperand::At(1, 8, MemoryDirection::kIn);
  EXPECT_EQ(op.BadAddressResult(), static_cast<uint64_t>(kInvalidParameter));
  op.bad_address_x0 = 5;
  EXPECT_EQ(op.BadAddressResult(), 5u);
}

TEST(MemoryOperandTest, CheckAcceptsAValidList) {
  std::vector<MemoryOperand> ops = {MemoryOperand::At(1, 4096, MemoryDirection::kIn),
                                    MemoryOperand::At(2, 4096, MemoryDirection::kOut)};
  EXPECT_TRUE(CheckMemoryOperands(ops, Regs({1, 2})).ok());
  EXPECT_TRUE(CheckMemoryOperands({}, 0).ok());
}

TEST(MemoryOperandTest, CheckRefusesWhatBreaksTheRules) {
  const RegisterMask all = kAllArgRegisters;
  auto message = [&](std::vector<MemoryOperand> ops, RegisterMask mask) {
    return std::string(CheckMemoryOperands(ops, mask).message());
  };
  EXPECT_NE(
      message({MemoryOperand::At(0, 8, MemoryDirection::kIn)}, all).find("address_register 0"),
      std::string::npos);
  EXPECT_NE(
      message({MemoryOperand::At(18, 8, MemoryDirection::kIn)}, all).find("address_register 18"),
      std::string::npos);
  EXPECT_NE(message({MemoryOperand::At(1, 0, MemoryDirection::kIn)}, all).find("length 0"),
            std::string::npos);
  EXPECT_NE(message({MemoryOperand::At(1, kMaxMemoryOperandBytes + 1, MemoryDirection::kIn)}, all)
                .find("outside 1..16384"),
            std::string::npos);
  EXPECT_NE(
      message({MemoryOperand::At(3, 8, MemoryDirection::kIn)}, Regs({1, 2})).find("does not read"),
      std::string::npos);
  MemoryOperand never = MemoryOperand::At(1, 8, MemoryDirection::kIn);
  never.when_register = 2;
  never.when_mask = 1;
  never.when_value = 2;
  EXPECT_NE(message({never}, all).find("never"), std::string::npos);
  MemoryOperand bad_when = MemoryOperand::At(1, 8, MemoryDirection::kIn);
  bad_when.when_register = 18;
  EXPECT_NE(message({bad_when}, all).find("when_register 18"), std::string::npos);
  std::vector<MemoryOperand> three_big(
      3, MemoryOperand::At(1, kMaxMemoryOperandBytes, MemoryDirection::kIn));
  EXPECT_NE(message(three_big, all).find("49152 bytes together; a range may pass at most 32768"),
            std::string::npos);
  std::vector<MemoryOperand> five(5, MemoryOperand::At(1, 8, MemoryDirection::kIn));
  EXPECT_NE(message(five, all).find("at most 4"), std::string::npos);
}

TEST(MemoryOperandTest, DescribeSaysRegisterLengthDirectionAndCondition) {
  MemoryOperand op = MemoryOperand::At(2, 4096, MemoryDirection::kOut);
  op.when_register = 1;
  op.when_mask = 0x10000;
  EXPECT_EQ(DescribeMemoryOperands({MemoryOperand::At(1, 64, MemoryDirection::kInOut), op}),
            "x1 -> 64 bytes inout; x2 -> 4096 bytes out, when (x1 & 0x10000) == 0x0");
  EXPECT_EQ(DescribeMemoryOperands({}), "none");
}

Call CallWithBuffers() {
  Call call;
  call.function_id = 0xc3000003;
  call.memory.push_back({0, 0x1000, 64, MemoryDirection::kIn, std::string(64, 'a')});
  call.memory.push_back({1, 0x2000, 64, MemoryDirection::kOut, ""});
  call.memory.push_back({2, 0x3000, 8, MemoryDirection::kInOut, std::string(8, 'b')});
  return call;
}

TEST(CheckResultMemoryTest, FillsInWhereFromTheCall) {
  Result result;
  result.memory.push_back({1, 0, 0, MemoryDirection::kIn, std::string(10, 'z')});
  result.memory.push_back({2, 0, 0, MemoryDirection::kIn, std::string(8, 'y')});
  ASSERT_TRUE(CheckResultMemory(CallWithBuffers(), result).ok());
  EXPECT_EQ(result.memory[0].guest_phys_addr, 0x2000u);
  EXPECT_EQ(result.memory[0].length, 64u);
  EXPECT_EQ(result.memory[0].direction, MemoryDirection::kOut);
  EXPECT_EQ(result.memory[1].guest_phys_addr, 0x3000u);
}

TEST(CheckResultMemoryTest, RefusesWritesTheCallDidNotAllow) {
  auto message = [](std::vector<MemoryBuffer> memory) {
    Result result;
    result.memory = std::move(memory);
    return std::string(CheckResultMemory(CallWithBuffers(), result).message());
  };
  EXPECT_NE(message({{0, 0, 0, MemoryDirection::kOut, "x"}}).find("'in' operand"),
            std::string::npos);
  EXPECT_NE(message({{7, 0, 0, MemoryDirection::kOut, "x"}}).find("did not pass"),
            std::string::npos);
  EXPECT_NE(message({{1, 0, 0, MemoryDirection::kOut, "x"}, {1, 0, 0, MemoryDirection::kOut, "x"}})
                .find("twice"),
            std::string::npos);
  EXPECT_NE(message({{2, 0, 0, MemoryDirection::kOut, std::string(9, 'x')}}).find("9 bytes"),
            std::string::npos);
}

}  // namespace
}  // namespace hypercall::smccc
