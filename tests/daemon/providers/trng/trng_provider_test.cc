#include "providers/trng/trng_provider.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "captured_result.h"
#include "providers/provider_registry.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

smccc::Result Handle(provider::Provider& provider, uint32_t fid, uint64_t x1 = 0) {
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = x1;
  call.args_read_mask = 0x2;
  CapturedResult done;
  provider.Handle({"vm", 0}, call, done);
  EXPECT_EQ(done.count, 1);
  return done.value;
}

// Every entropy byte is 0xff, so the packing shows as a bit count.
bool AllOnes(uint8_t* buf, size_t len) {
  std::memset(buf, 0xff, len);
  return true;
}

// Byte i is i + 1, so each register's source bytes are recognisable.
bool Counting(uint8_t* buf, size_t len) {
  for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(i + 1);
  return true;
}

uint64_t LowBits(uint64_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

TEST(TrngProviderTest, VersionIsOnePointZero) {
  TrngProvider trng;
  smccc::Result r = Handle(trng, smccc::kTrngVersion);
  EXPECT_EQ(r.x[0], 0x10000u);
  EXPECT_EQ(r.written_mask, 0x1u);
}

TEST(TrngProviderTest, FeaturesKnowsExactlyTheFiveFunctions) {
  TrngProvider trng;
  for (uint32_t fid : {smccc::kTrngVersion, smccc::kTrngFeatures, smccc::kTrngGetUuid,
                       smccc::kTrngRnd32, smccc::kTrngRnd64}) {
    EXPECT_EQ(Handle(trng, smccc::kTrngFeatures, fid).x[0], 0u) << std::hex << fid;
  }
  for (uint32_t fid : {0x84000054u, 0xc4000050u, 0x8400005fu, smccc::kPsciVersion, 0u}) {
    EXPECT_EQ(Handle(trng, smccc::kTrngFeatures, fid).x[0],
              static_cast<uint64_t>(smccc::kNotSupported))
        << std::hex << fid;
  }
}

TEST(TrngProviderTest, UuidIsOursAsFourLittleEndianWords) {
  TrngProvider trng;
  smccc::Result r = Handle(trng, smccc::kTrngGetUuid);
  EXPECT_EQ(r.written_mask, 0xfu);
  uint8_t bytes[16];
  for (int i = 0; i < 4; ++i) {
    ASSERT_LE(r.x[i], 0xffffffffu);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<uint8_t>(r.x[i] >> (8 * b));
  }
  EXPECT_EQ(std::memcmp(bytes, kTrngUuid.data(), 16), 0);
  EXPECT_NE(r.x[0], 0xffffffffu);  // Would read as NOT_SUPPORTED.
}

TEST(TrngProviderTest, Rnd64PacksLowestBitsIntoX3AndZeroesAboveN) {
  TrngProvider trng(AllOnes);
  for (uint64_t n : {1, 32, 64, 96, 128, 192}) {
    smccc::Result r = Handle(trng, smccc::kTrngRnd64, n);
    EXPECT_EQ(r.x[0], 0u) << n;
    EXPECT_EQ(r.written_mask, 0xfu) << n;
    EXPECT_EQ(r.x[3], LowBits(n)) << n;
    EXPECT_EQ(r.x[2], n > 64 ? LowBits(n - 64) : 0) << n;
    EXPECT_EQ(r.x[1], n > 128 ? LowBits(n - 128) : 0) << n;
  }
}

TEST(TrngProviderTest, Rnd32PacksLowestBitsIntoW3AndZeroesAboveN) {
  TrngProvider trng(AllOnes);
  for (uint64_t n : {1, 32, 64, 96}) {
    smccc::Result r = Handle(trng, smccc::kTrngRnd32, n);
    EXPECT_EQ(r.x[0], 0u) << n;
    EXPECT_EQ(r.x[3], LowBits(std::min<uint64_t>(n, 32))) << n;
    EXPECT_EQ(r.x[2], n > 32 ? LowBits(std::min<uint64_t>(n - 32, 32)) : 0) << n;
    EXPECT_EQ(r.x[1], n > 64 ? LowBits(n - 64) : 0) << n;
  }
}

TEST(TrngProviderTest, EntropyBytesFillRegistersLowestFirst) {
  TrngProvider trng(Counting);
  smccc::Result r = Handle(trng, smccc::kTrngRnd64, 192);
  EXPECT_EQ(r.x[3], 0x0807060504030201u);
  EXPECT_EQ(r.x[2], 0x100f0e0d0c0b0a09u);
  EXPECT_EQ(r.x[1], 0x1817161514131211u);
  smccc::Result r32 = Handle(trng, smccc::kTrngRnd32, 96);
  EXPECT_EQ(r32.x[3], 0x04030201u);
  EXPECT_EQ(r32.x[2], 0x08070605u);
  EXPECT_EQ(r32.x[1], 0x0c0b0a09u);
}

TEST(TrngProviderTest, DrawsOnlyTheBytesAskedFor) {
  std::vector<size_t> asked;
  TrngProvider trng([&](uint8_t* buf, size_t len) {
    asked.push_back(len);
    return AllOnes(buf, len);
  });
  Handle(trng, smccc::kTrngRnd64, 1);
  Handle(trng, smccc::kTrngRnd64, 65);
  Handle(trng, smccc::kTrngRnd32, 96);
  EXPECT_EQ(asked, (std::vector<size_t>{1, 9, 12}));
}

TEST(TrngProviderTest, BitCountOutOfRangeIsInvalidParameters) {
  TrngProvider trng(AllOnes);
  const uint64_t invalid = static_cast<uint64_t>(smccc::kTrngInvalidParameters);
  for (uint64_t n : {0ull, 193ull, 1ull << 40, ~0ull}) {
    smccc::Result r = Handle(trng, smccc::kTrngRnd64, n);
    EXPECT_EQ(r.x[0], invalid) << n;
    EXPECT_EQ(r.written_mask, 0x1u) << n;
  }
  for (uint64_t n : {0ull, 97ull, 192ull}) {
    EXPECT_EQ(Handle(trng, smccc::kTrngRnd32, n).x[0], invalid) << n;
  }
}

TEST(TrngProviderTest, NoEntropyIsReported) {
  TrngProvider trng([](uint8_t*, size_t) { return false; });
  for (uint32_t fid : {smccc::kTrngRnd32, smccc::kTrngRnd64}) {
    smccc::Result r = Handle(trng, fid, 32);
    EXPECT_EQ(r.x[0], static_cast<uint64_t>(smccc::kTrngNoEntropy));
    EXPECT_EQ(r.written_mask, 0x1u);
  }
}

TEST(TrngProviderTest, RealEntropyVaries) {
  TrngProvider trng;
  smccc::Result a = Handle(trng, smccc::kTrngRnd64, 192);
  smccc::Result b = Handle(trng, smccc::kTrngRnd64, 192);
  ASSERT_EQ(a.x[0], 0u);
  EXPECT_NE(std::make_tuple(a.x[1], a.x[2], a.x[3]), std::make_tuple(b.x[1], b.x[2], b.x[3]));
}

TEST(TrngProviderTest, UnknownIdsInItsRangeAreNotSupported) {
  TrngProvider trng;
  for (uint32_t fid : {0x84000054u, 0x8400005fu, 0xc4000050u, 0xc4000052u}) {
    smccc::Result r = Handle(trng, fid);
    EXPECT_EQ(r.x[0], static_cast<uint64_t>(smccc::kNotSupported)) << std::hex << fid;
    EXPECT_EQ(r.written_mask, 0x1u);
  }
}

TEST(TrngProviderTest, SveHintIsIgnored) {
  TrngProvider trng;
  EXPECT_EQ(Handle(trng, smccc::kTrngVersion | smccc::kSveHintBit).x[0], 0x10000u);
}

TEST(TrngProviderTest, ClaimsTheTrngRangesReadingX1WithSecretResults) {
  TrngProvider trng;
  std::vector<provider::RangeClaim> claims = trng.Claims();
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].range.first, 0x84000050u);
  EXPECT_EQ(claims[0].range.last, 0x8400005fu);
  EXPECT_EQ(claims[1].range.first, 0xc4000050u);
  EXPECT_EQ(claims[1].range.last, 0xc400005fu);
  EXPECT_EQ(claims[0].args_read_mask, 0x2u);
  EXPECT_EQ(claims[1].args_read_mask, 0x2u);
  EXPECT_TRUE(claims[0].secret_results);
  EXPECT_TRUE(claims[1].secret_results);
}

TEST(TrngProviderTest, RegisteredByNameAndOnByDefault) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("trng");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->name(), "trng");
  const std::vector<std::string> defaults = DefaultProviderNames();
  EXPECT_NE(std::find(defaults.begin(), defaults.end(), "trng"), defaults.end());
}

}  // namespace
}  // namespace hypercall::providers
