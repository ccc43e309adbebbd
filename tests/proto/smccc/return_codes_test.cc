#include "smccc/return_codes.h"

#include <gtest/gtest.h>

#include "smccc/known_calls.h"

namespace hypercall::smccc {
namespace {

constexpr uint64_t Neg(int64_t v) { return static_cast<uint64_t>(v); }

TEST(ReturnCodesTest, GenericCodes) {
  EXPECT_EQ(ReturnCodeName(0xc2000001, Neg(-1)), "NOT_SUPPORTED");
  EXPECT_EQ(ReturnCodeName(0xc2000001, Neg(-2)), "NOT_REQUIRED");
  EXPECT_EQ(ReturnCodeName(0xc2000001, Neg(-3)), "INVALID_PARAMETER");
  EXPECT_EQ(ReturnCodeName(0xc2000001, Neg(-4)), std::nullopt);
  EXPECT_EQ(ReturnCodeName(0xc2000001, 0), std::nullopt);
}

TEST(ReturnCodesTest, TrngCodes) {
  EXPECT_EQ(ReturnCodeName(kTrngRnd64, Neg(-2)), "TRNG_INVALID_PARAMETERS");
  EXPECT_EQ(ReturnCodeName(kTrngRnd64, Neg(-3)), "TRNG_NO_ENTROPY");
  EXPECT_EQ(ReturnCodeName(kTrngRnd32, 0xfffffffd), "TRNG_NO_ENTROPY");
}

TEST(ReturnCodesTest, PsciCodes) {
  EXPECT_EQ(ReturnCodeName(kPsciCpuOn64, Neg(-4)), "PSCI_ALREADY_ON");
  EXPECT_EQ(ReturnCodeName(kPsciCpuOff, 0xfffffffd), "PSCI_DENIED");
}

TEST(ReturnCodesTest, Smc32CallsReadW0) {
  // KVM writes all 64 bits of -1 even for SMC32 calls; w-register semantics
  // give 0xFFFFFFFF. Both read as NOT_SUPPORTED.
  EXPECT_EQ(ReturnCodeName(kTrngVersion, 0xffffffff), "NOT_SUPPORTED");
  EXPECT_EQ(ReturnCodeName(kTrngVersion, Neg(-1)), "NOT_SUPPORTED");
  // A value with unrelated upper bits is not a w0 code.
  EXPECT_EQ(ReturnCodeName(kTrngVersion, 0x12345678ffffffff), std::nullopt);
  // For SMC64 calls 0xFFFFFFFF is a positive value, not a code.
  EXPECT_EQ(ReturnCodeName(kTrngRnd64, 0xffffffff), std::nullopt);
}

}  // namespace
}  // namespace hypercall::smccc
