#include "hypercall/shim/kvm_firmware_bitmaps.h"

#include <cerrno>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_plans.h"

namespace hypercall::shim {
namespace {

using ::testing::ElementsAre;
using testing::FakeKvm;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kCallUid;
using testing::kDiscoverImpl;
using testing::kDiscoverImplVer;
using testing::kPvTime;
using testing::kTrng;
using testing::PlanOf;

constexpr int kVcpuFd = 50;
constexpr uint64_t kStdBmap = 0x6030000000160000;
constexpr uint64_t kStdHypBmap = 0x6030000000160001;
constexpr uint64_t kVendorHypBmap = 0x6030000000160002;
constexpr uint64_t kVendorHypBmap2 = 0x6030000000160003;

// The edit of register `reg_id`, or a zero edit when there is none.
FirmwareBitmapEdit EditOf(const ForwardingPlan& plan, uint64_t reg_id) {
  for (const FirmwareBitmapEdit& e : FirmwareBitmapEdits(plan)) {
    if (e.reg_id == reg_id) return e;
  }
  return {};
}

TEST(FirmwareBitmapEditsTest, AnEmptyPlanOffersNothingKvmWouldAnswerForIt) {
  const ForwardingPlan plan;
  EXPECT_EQ(EditOf(plan, kStdBmap).set, 0u);
  EXPECT_EQ(EditOf(plan, kStdBmap).clear, 1u);
  EXPECT_EQ(EditOf(plan, kStdHypBmap).clear, 1u);
  EXPECT_EQ(EditOf(plan, kVendorHypBmap2).clear, 3u);
  // KVM's own identity and PTP stay as KVM has them.
  EXPECT_EQ(EditOf(plan, kVendorHypBmap).reg_id, 0u);
}

TEST(FirmwareBitmapEditsTest, TrngBitFollowsTrngVersion) {
  EXPECT_EQ(EditOf(PlanOf({kTrng}), kStdBmap).set, 1u);
  EXPECT_EQ(EditOf(PlanOf({kTrng}), kStdBmap).clear, 0u);
  // Forwarding RND64 alone (the SMC64 range) is not offering TRNG.
  EXPECT_EQ(EditOf(PlanOf({{0xc4000050, 16}}), kStdBmap).clear, 1u);
}

TEST(FirmwareBitmapEditsTest, PvTimeBitNeedsTheCallAndTheRecords) {
  EXPECT_EQ(EditOf(PlanOf({kPvTime}, {0x90a0000}), kStdHypBmap).set, 1u);
  // Forwarded, but no region to put records in: ARCH_FEATURES must say no.
  EXPECT_EQ(EditOf(PlanOf({kPvTime}), kStdHypBmap).clear, 1u);
  // PV_TIME_ST alone is not PV_TIME_FEATURES.
  EXPECT_EQ(EditOf(PlanOf({{0xc5000021, 1}}, {0x90a0000}), kStdHypBmap).clear, 1u);
}

TEST(FirmwareBitmapEditsTest, AnotherHypervisorsCallUidHidesKvmFeaturesOnly) {
  const FirmwareBitmapEdit e = EditOf(PlanOf({kCallUid}), kVendorHypBmap);
  EXPECT_EQ(e.reg_id, kVendorHypBmap);
  EXPECT_EQ(e.set, 0u);
  EXPECT_EQ(e.clear, 1u);  // PTP (bit 1) untouched
  EXPECT_EQ(e.Apply(0x3), 0x2u);
}

TEST(FirmwareBitmapEditsTest, DiscoverImplBitsFollowTheirCalls) {
  EXPECT_EQ(EditOf(PlanOf({kDiscoverImpl}), kVendorHypBmap2).set, 3u);
  const FirmwareBitmapEdit ver_only = EditOf(PlanOf({kDiscoverImplVer}), kVendorHypBmap2);
  EXPECT_EQ(ver_only.set, 1u);
  EXPECT_EQ(ver_only.clear, 2u);
  EXPECT_EQ(ver_only.offered, "DISCOVER_IMPL_VER");
  EXPECT_EQ(EditOf(PlanOf({kDiscoverImpl}), kVendorHypBmap2).offered,
            "DISCOVER_IMPL_VER, DISCOVER_IMPL_CPUS");
}

// KVM's reset values on a 6.15+ kernel.
void KvmDefaults(FakeKvm& kernel) {
  kernel.registers[kStdBmap] = 0x1;
  kernel.registers[kStdHypBmap] = 0x1;
  kernel.registers[kVendorHypBmap] = 0x3;
  kernel.registers[kVendorHypBmap2] = 0x0;
}

TEST(KvmFirmwareBitmapsTest, ReadsEachRegisterAndWritesOnlyWhatChanges) {
  FakeKvm kernel;
  KvmDefaults(kernel);
  absl::StatusOr<std::vector<std::string>> notes =
      KvmFirmwareBitmaps(kVcpuFd, kernel).Install(PlanOf({kTrng}));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, IsEmpty());
  std::vector<uint64_t> read;
  for (const FakeKvm::Request& r : kernel.Only(kvm::kGetOneReg)) {
    EXPECT_EQ(r.fd, kVcpuFd);
    read.push_back(r.reg_id);
  }
  EXPECT_THAT(read, ElementsAre(kStdBmap, kStdHypBmap, kVendorHypBmap2));
  // TRNG was already on, the DISCOVER_IMPL bits already off: one write, PV time off.
  const std::vector<FakeKvm::Request> sets = kernel.Only(kvm::kSetOneReg);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].fd, kVcpuFd);
  EXPECT_EQ(sets[0].reg_id, kStdHypBmap);
  EXPECT_EQ(sets[0].value, 0u);
}

TEST(KvmFirmwareBitmapsTest, SetsWhatThePlanOffersAndKeepsOtherBits) {
  FakeKvm kernel;
  KvmDefaults(kernel);
  kernel.registers[kStdBmap] = 0x0;
  ASSERT_TRUE(KvmFirmwareBitmaps(kVcpuFd, kernel)
                  .Install(PlanOf({kTrng, kCallUid, kPvTime, kDiscoverImpl}, {0x90a0000}))
                  .ok());
  EXPECT_EQ(kernel.registers[kStdBmap], 0x1u);
  EXPECT_EQ(kernel.registers[kStdHypBmap], 0x1u);
  EXPECT_EQ(kernel.registers[kVendorHypBmap], 0x2u);  // PTP kept
  EXPECT_EQ(kernel.registers[kVendorHypBmap2], 0x3u);
  EXPECT_EQ(kernel.Only(kvm::kSetOneReg).size(), 3u);
}

TEST(KvmFirmwareBitmapsTest, AKernelWithoutVendorHypBmap2IsANoteWhenItMatters) {
  FakeKvm kernel;
  KvmDefaults(kernel);
  kernel.missing_registers.insert(kVendorHypBmap2);
  absl::StatusOr<std::vector<std::string>> notes =
      KvmFirmwareBitmaps(kVcpuFd, kernel).Install(PlanOf({kDiscoverImplVer}));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, ElementsAre("this kernel has no KVM_REG_ARM_VENDOR_HYP_BMAP_2; guests cannot "
                                  "discover DISCOVER_IMPL_VER through KVM_FEATURES"));
  // Nothing wanted set there: the register's absence says nothing new.
  notes = KvmFirmwareBitmaps(kVcpuFd, kernel).Install(PlanOf({kTrng}));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, IsEmpty());
}

struct ErrnoCase {
  unsigned long request;
  int errno_value;
  absl::StatusCode code;
  const char* says;
};

class KvmFirmwareBitmapsErrorTest : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(KvmFirmwareBitmapsErrorTest, NamesTheRegisterAndWhatToDo) {
  FakeKvm kernel;
  KvmDefaults(kernel);
  kernel.FailAll(GetParam().request, GetParam().errno_value);
  // STD_BMAP changes (TRNG off), so it is read and written first.
  absl::StatusOr<std::vector<std::string>> notes =
      KvmFirmwareBitmaps(kVcpuFd, kernel).Install(ForwardingPlan());
  EXPECT_EQ(notes.status().code(), GetParam().code) << notes.status();
  EXPECT_THAT(notes.status().message(), HasSubstr("KVM_REG_ARM_STD_BMAP"));
  EXPECT_THAT(notes.status().message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Errnos, KvmFirmwareBitmapsErrorTest,
    ::testing::Values(ErrnoCase{kvm::kGetOneReg, ENOEXEC, absl::StatusCode::kFailedPrecondition,
                                "after KVM_ARM_VCPU_INIT"},
                      ErrnoCase{kvm::kSetOneReg, EBUSY, absl::StatusCode::kFailedPrecondition,
                                "before the first KVM_RUN"},
                      ErrnoCase{kvm::kSetOneReg, EINVAL, absl::StatusCode::kInvalidArgument,
                                "unknown to this kernel"},
                      ErrnoCase{kvm::kGetOneReg, EBADF, absl::StatusCode::kFailedPrecondition,
                                "KVM_GET_ONE_REG(KVM_REG_ARM_STD_BMAP) failed"}));

}  // namespace
}  // namespace hypercall::shim
