#include "smccc/known_calls.h"

#include <gtest/gtest.h>

#include "smccc/function_id.h"

namespace hypercall::smccc {
namespace {

TEST(KnownCallsTest, NamesTheCallsOfEachService) {
  EXPECT_EQ(KnownCallName(kTrngVersion), "TRNG_VERSION");
  EXPECT_EQ(KnownCallName(kTrngRnd32), "TRNG_RND32");
  EXPECT_EQ(KnownCallName(kTrngRnd64), "TRNG_RND64");
  EXPECT_EQ(KnownCallName(kPsciCpuOn64), "PSCI_CPU_ON64");
  EXPECT_EQ(KnownCallName(kPvTimeSt), "PV_TIME_ST");
  EXPECT_EQ(KnownCallName(kVendorHypCallUid), "VENDOR_HYP_CALL_UID");
  EXPECT_EQ(KnownCallName(kKvmDiscoverImplCpus), "KVM_DISCOVER_IMPL_CPUS");
  EXPECT_EQ(KnownCallName(kHyperVHypercall), "HYPERV_HYPERCALL");
  EXPECT_EQ(KnownCallName(kFfaMsgSendDirectReq2), "FFA_MSG_SEND_DIRECT_REQ2");
  EXPECT_EQ(KnownCallName(kSmcccVersion), "SMCCC_VERSION");
}

TEST(KnownCallsTest, LooksUpWithTheSveHintStripped) {
  EXPECT_EQ(KnownCallName(kTrngRnd64 | kSveHintBit), "TRNG_RND64");
}

TEST(KnownCallsTest, GenericPerOwnerQueries) {
  EXPECT_EQ(KnownCallName(0x8200ff01), "CALL_UID");  // SiP Call UID.
  EXPECT_EQ(KnownCallName(0xbf00ff03), "REVISION");  // Trusted OS revision.
  EXPECT_EQ(KnownCallName(0x8200ff00), "CALL_COUNT");
}

TEST(KnownCallsTest, UnknownIdsGetANameFromTheirFields) {
  EXPECT_EQ(KnownCallName(0xc2000001), std::nullopt);
  EXPECT_EQ(CallName(0xc2000001), "SiP_SMC64#0x0001");
  EXPECT_EQ(CallName(0x02000001), "SiP_SMC32_yielding#0x0001");
  EXPECT_EQ(CallName(kTrngRnd64), "TRNG_RND64");
}

TEST(KnownCallsTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(FunctionIdByName("TRNG_RND64"), kTrngRnd64);
  EXPECT_EQ(FunctionIdByName("trng_version"), kTrngVersion);
  EXPECT_EQ(FunctionIdByName("PSCI_SYSTEM_OFF"), kPsciSystemOff);
  EXPECT_EQ(FunctionIdByName("NO_SUCH_CALL"), std::nullopt);
  EXPECT_EQ(FunctionIdByName(""), std::nullopt);
}

}  // namespace
}  // namespace hypercall::smccc
