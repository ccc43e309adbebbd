#include "hypercallctl/numbers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ParseNumberTest, AcceptsDecimalAndHex) {
  EXPECT_EQ(ParseNumber("192", "X1").value(), 192u);
  EXPECT_EQ(ParseNumber("0xC0", "X1").value(), 0xc0u);
  EXPECT_EQ(ParseNumber("0Xc0", "X1").value(), 0xc0u);
  EXPECT_EQ(ParseNumber("0", "X1").value(), 0u);
  // Leading zeros stay decimal: no octal surprises.
  EXPECT_EQ(ParseNumber("010", "X1").value(), 10u);
}

TEST(ParseNumberTest, AcceptsTheFull64Bits) {
  EXPECT_EQ(ParseNumber("0xffffffffffffffff", "X1").value(), UINT64_MAX);
  EXPECT_EQ(ParseNumber("18446744073709551615", "X1").value(), UINT64_MAX);
}

TEST(ParseNumberTest, RefusesValuesBeyond64Bits) {
  for (const char* text : {"0x10000000000000000", "18446744073709551616", "99999999999999999999"}) {
    absl::StatusOr<uint64_t> value = ParseNumber(text, "X3");
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.status().message(), std::string("X3: '") + text + "' does not fit in 64 bits");
  }
}

TEST(ParseNumberTest, SaysWhichArgumentIsNotANumber) {
  absl::StatusOr<uint64_t> value = ParseNumber("0xzz", "X2");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(value.status().message(), "X2: '0xzz' is not a number (decimal or 0x-hex)");
  for (const char* text : {"", "0x", "12a", " 1", "1 ", "+1", "1.5", "0b101"}) {
    EXPECT_FALSE(ParseNumber(text, "X1").ok()) << "'" << text << "'";
  }
}

TEST(ParseNumberTest, ExplainsNegativeNumbers) {
  absl::StatusOr<uint64_t> value = ParseNumber("-1", "X4");
  ASSERT_FALSE(value.ok());
  EXPECT_THAT(std::string(value.status().message()), HasSubstr("X4: '-1' is negative"));
  EXPECT_THAT(std::string(value.status().message()), HasSubstr("0xffffffffffffffff"));
}

TEST(ParseNumberInRangeTest, EnforcesTheBounds) {
  EXPECT_EQ(ParseNumberInRange("5", "--count", 1, 10).value(), 5u);
  EXPECT_EQ(ParseNumberInRange("0xa", "--count", 1, 10).value(), 10u);
  absl::StatusOr<uint64_t> zero = ParseNumberInRange("0", "--count", 1, 10);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "--count: 0 is out of range (1 to 10)");
  EXPECT_FALSE(ParseNumberInRange("11", "--count", 1, 10).ok());
}

TEST(ParseFunctionIdTest, AcceptsNumbersAndKnownNames) {
  EXPECT_EQ(ParseFunctionId("0xC4000053", "FUNC").value(), 0xc4000053u);
  EXPECT_EQ(ParseFunctionId("2214592592", "FUNC").value(), 0x84000050u);
  EXPECT_EQ(ParseFunctionId("TRNG_RND64", "FUNC").value(), 0xc4000053u);
  EXPECT_EQ(ParseFunctionId("trng_version", "FUNC").value(), 0x84000050u);
}

TEST(ParseFunctionIdTest, RefusesIdsBeyond32Bits) {
  absl::StatusOr<uint32_t> fid = ParseFunctionId("0x100000000", "FUNC");
  ASSERT_FALSE(fid.ok());
  EXPECT_THAT(std::string(fid.status().message()), HasSubstr("does not fit in 32 bits"));
}

TEST(ParseFunctionIdTest, NamesBothFormsForAnUnknownWord) {
  absl::StatusOr<uint32_t> fid = ParseFunctionId("TRNG_RND128", "FUNC");
  ASSERT_FALSE(fid.ok());
  EXPECT_THAT(std::string(fid.status().message()),
              HasSubstr("FUNC: 'TRNG_RND128' is neither a number"));
  EXPECT_THAT(std::string(fid.status().message()), HasSubstr("known call name"));
  EXPECT_EQ(ParseFunctionId("0xzz", "FUNC").status().message(),
            "FUNC: '0xzz' is not a number (decimal or 0x-hex)");
}

}  // namespace
}  // namespace hypercall::ctl
