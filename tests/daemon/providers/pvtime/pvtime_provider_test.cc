// The PV time provider alone: FEATURES and ST for a vCPU with a planned
// record and for one without, every register of each answer checked.
#include "providers/pvtime/pvtime_provider.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "captured_result.h"
#include "providers/provider_registry.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr uint64_t kRecord = 0x090a0040;

smccc::Result Answer(uint32_t fid, uint64_t x1, uint64_t record) {
  PvTimeProvider provider;
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = x1;
  CapturedResult done;
  provider.Handle(provider::CallContext{"vm", 1, record}, call, done);
  EXPECT_EQ(done.count, 1);
  return done.value;
}

// x0 = `x0`, nothing else written.
void ExpectOnlyX0(const smccc::Result& result, uint64_t x0) {
  EXPECT_EQ(result.x[0], x0);
  EXPECT_EQ(result.written_mask, smccc::RegisterMask{1});
  for (int i = 1; i < smccc::kNumRegisters; ++i) EXPECT_EQ(result.x[i], 0u) << "x" << i;
}

TEST(PvTimeProviderTest, ClaimsTheTwoFunctionsReadingX1) {
  PvTimeProvider provider;
  std::vector<provider::RangeClaim> claims = provider.Claims();
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].range.first, smccc::kPvTimeFeatures);
  EXPECT_EQ(claims[0].range.last, smccc::kPvTimeSt);
  EXPECT_EQ(claims[0].args_read_mask, smccc::RegisterMask{1} << 1);
  EXPECT_TRUE(claims[0].memory.empty());
}

TEST(PvTimeProviderTest, FeaturesSaysBothFunctionsExistWhenTheVcpuHasARecord) {
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, smccc::kPvTimeFeatures, kRecord), smccc::kSuccess);
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, smccc::kPvTimeSt, kRecord), smccc::kSuccess);
  // With the SVE hint bit set, as the router strips it.
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, smccc::kPvTimeSt | 0x10000, kRecord),
               smccc::kSuccess);
}

TEST(PvTimeProviderTest, FeaturesRefusesOtherFunctions) {
  for (uint64_t asked :
       {uint64_t{0}, uint64_t{0xc5000022}, uint64_t{0x85000021}, uint64_t{smccc::kTrngVersion}}) {
    ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, asked, kRecord), smccc::kNotSupported);
  }
}

// The function ID asked about is w1, as KVM reads it (arch/arm64/kvm/pvtime.c).
TEST(PvTimeProviderTest, FeaturesReadsTheFunctionIdFromW1) {
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, 0xffffffff00000000 | smccc::kPvTimeSt, kRecord),
               smccc::kSuccess);
}

TEST(PvTimeProviderTest, StAnswersTheCallingVcpusRecord) {
  ExpectOnlyX0(Answer(smccc::kPvTimeSt, 0, kRecord), kRecord);
  ExpectOnlyX0(Answer(smccc::kPvTimeSt, 0, kRecord + 64), kRecord + 64);
}

TEST(PvTimeProviderTest, WithoutARecordNothingIsSupported) {
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, smccc::kPvTimeFeatures, 0), smccc::kNotSupported);
  ExpectOnlyX0(Answer(smccc::kPvTimeFeatures, smccc::kPvTimeSt, 0), smccc::kNotSupported);
  ExpectOnlyX0(Answer(smccc::kPvTimeSt, 0, 0), smccc::kNotSupported);
}

TEST(PvTimeProviderTest, RegisteredByNameAndOffByDefault) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("pvtime");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->name(), "pvtime");
  for (const std::string& name : DefaultProviderNames()) EXPECT_NE(name, "pvtime");
}

}  // namespace
}  // namespace hypercall::providers
