#include "smccc/call.h"

#include <gtest/gtest.h>

#include "smccc/known_calls.h"

namespace hypercall::smccc {
namespace {

TEST(CallTest, Smc32ArgumentsLoseUpperHalvesAndRegistersPastW7) {
  Call call;
  call.function_id = kTrngRnd32;
  for (int i = 1; i < kNumRegisters; ++i) call.x[i] = 0xaaaaaaaa00000000ull | i;
  call.args_read_mask = kAllArgRegisters;
  ApplyCallingConvention(call.function_id, call);
  for (int i = 1; i < kNumSmc32Registers; ++i) EXPECT_EQ(call.x[i], uint64_t(i)) << "x" << i;
  for (int i = kNumSmc32Registers; i < kNumRegisters; ++i) EXPECT_EQ(call.x[i], 0u) << "x" << i;
  EXPECT_EQ(call.args_read_mask, 0xfeu);
}

TEST(CallTest, Smc32ResultsAre32BitsAndOnlyW0ToW7) {
  Result result;
  for (int i = 0; i < kNumRegisters; ++i) result.Set(i, 0xffffffff00000000ull | i);
  ApplyCallingConvention(kTrngRnd32, result);
  for (int i = 0; i < kNumSmc32Registers; ++i) EXPECT_EQ(result.x[i], uint64_t(i));
  for (int i = kNumSmc32Registers; i < kNumRegisters; ++i) EXPECT_EQ(result.x[i], 0u);
  EXPECT_EQ(result.written_mask, 0xffu);
}

TEST(CallTest, Smc32NotSupportedBecomesW0AllOnes) {
  Result result = Result::Code(-1);
  ApplyCallingConvention(kTrngVersion, result);
  EXPECT_EQ(result.x[0], 0xffffffffu);
  EXPECT_EQ(result.written_mask, 1u);
}

TEST(CallTest, Smc64IsUntouched) {
  Result result;
  result.Set(17, ~0ull);
  ApplyCallingConvention(kTrngRnd64, result);
  EXPECT_EQ(result.x[17], ~0ull);
  EXPECT_EQ(result.written_mask, (1u << 17) | 1u);
}

TEST(CallTest, ResultAlwaysWritesX0) {
  EXPECT_EQ(Result().written_mask, 1u);
  EXPECT_EQ(Result::Code(-3).x[0], ~uint64_t{2});
}

}  // namespace
}  // namespace hypercall::smccc
