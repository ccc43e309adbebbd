#include "hypercall/shim/kvm_install.h"

#include <cerrno>
#include <vector>

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
using testing::kPvTime;
using testing::kTrng;
using testing::PlanOf;

constexpr int kVmFd = 42;
const std::vector<int> kVcpuFds = {50, 51};
constexpr uint64_t kStdHypBmap = 0x6030000000160001;
constexpr uint64_t kVendorHypBmap2 = 0x6030000000160003;

ForwardingPlan PvTimePlan() { return PlanOf({kTrng, kPvTime}, {0x90a0000, 0x90a0040}); }

// "has@42", "get@50", "set@50", "filter@42", "pvtime@51": the ioctls in order.
std::vector<std::string> Sequence(const FakeKvm& kernel) {
  std::vector<std::string> out;
  for (const FakeKvm::Request& r : kernel.requests) {
    std::string what = r.request == kvm::kHasDeviceAttr ? "has"
                       : r.request == kvm::kGetOneReg   ? "get"
                       : r.request == kvm::kSetOneReg   ? "set"
                       : r.filter.has_value()           ? "filter"
                                                        : "pvtime";
    out.push_back(what + "@" + std::to_string(r.fd));
  }
  return out;
}

TEST(InstallPlanInKvmTest, ProbesThenBitmapsThenFilterThenRecords) {
  FakeKvm kernel;
  kernel.registers[kStdHypBmap] = 0;  // so PV time is switched on
  absl::StatusOr<KvmInstallReport> report = InstallPlanInKvm(PvTimePlan(), kVmFd, kVcpuFds, kernel);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->notes, IsEmpty());
  EXPECT_THAT(Sequence(kernel), ElementsAre("has@42", "has@50",  // filter, stolen time
                                            "get@50", "set@50",  // STD_BMAP: TRNG on
                                            "get@50", "set@50",  // STD_HYP_BMAP: PV time on
                                            "get@50",            // VENDOR_HYP_BMAP_2: unchanged
                                            "filter@42", "filter@42",    // the two ranges
                                            "pvtime@50", "pvtime@51"));  // one record per vCPU
  const std::vector<FakeKvm::Request> sets = kernel.Only(kvm::kSetDeviceAttr);
  EXPECT_EQ(sets[0].filter->base, 0x84000050u);
  EXPECT_EQ(sets[1].filter->base, 0xc5000020u);
  EXPECT_EQ(sets[2].value, 0x90a0000u);
  EXPECT_EQ(sets[3].value, 0x90a0040u);
  EXPECT_EQ(kernel.registers[kStdHypBmap], 1u);
}

TEST(InstallPlanInKvmTest, APlanWithoutRecordsNeedsOnlyVcpuZero) {
  FakeKvm kernel;
  const std::vector<int> vcpu0 = {50};
  absl::StatusOr<KvmInstallReport> report =
      InstallPlanInKvm(PlanOf({kTrng, kCallUid}), kVmFd, vcpu0, kernel);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(kernel.Only(kvm::kHasDeviceAttr).size(), 1u);  // the filter only
  for (const FakeKvm::Request& r : kernel.Only(kvm::kSetDeviceAttr)) {
    EXPECT_TRUE(r.filter.has_value());
  }
}

TEST(InstallPlanInKvmTest, RefusesTheWrongVcpuFdsBeforeAnyIoctl) {
  FakeKvm kernel;
  const std::vector<int> one = {50};
  absl::StatusOr<KvmInstallReport> report = InstallPlanInKvm(PvTimePlan(), kVmFd, one, kernel);
  EXPECT_TRUE(absl::IsInvalidArgument(report.status())) << report.status();
  EXPECT_THAT(report.status().message(), HasSubstr("1 vCPU fds for a plan with stolen-time "
                                                   "records for 2 vCPUs"));
  report = InstallPlanInKvm(PlanOf({kTrng}), kVmFd, {}, kernel);
  EXPECT_TRUE(absl::IsInvalidArgument(report.status())) << report.status();
  EXPECT_THAT(report.status().message(), HasSubstr("KVM_ARM_VCPU_INIT the vCPUs first"));
  EXPECT_THAT(kernel.requests, IsEmpty());
}

TEST(InstallPlanInKvmTest, AKernelWithoutStolenTimeChangesNothing) {
  FakeKvm kernel;
  kernel.FailNth(kvm::kHasDeviceAttr, 1, ENXIO);  // the filter is there, stolen time is not
  absl::StatusOr<KvmInstallReport> report = InstallPlanInKvm(PvTimePlan(), kVmFd, kVcpuFds, kernel);
  EXPECT_TRUE(absl::IsFailedPrecondition(report.status())) << report.status();
  EXPECT_THAT(report.status().message(), HasSubstr("keeps no stolen time"));
  EXPECT_THAT(Sequence(kernel), ElementsAre("has@42", "has@50"));
}

TEST(InstallPlanInKvmTest, ABitmapErrorComesBeforeTheWriteOnceFilter) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kGetOneReg, ENOEXEC);
  absl::StatusOr<KvmInstallReport> report = InstallPlanInKvm(PvTimePlan(), kVmFd, kVcpuFds, kernel);
  EXPECT_TRUE(absl::IsFailedPrecondition(report.status())) << report.status();
  EXPECT_THAT(kernel.Only(kvm::kSetDeviceAttr), IsEmpty());
}

TEST(InstallPlanInKvmTest, ARefusedRangeStopsBeforeTheRecords) {
  FakeKvm kernel;
  kernel.FailNth(kvm::kSetDeviceAttr, 1, EEXIST);
  absl::StatusOr<KvmInstallReport> report = InstallPlanInKvm(PvTimePlan(), kVmFd, kVcpuFds, kernel);
  EXPECT_TRUE(absl::IsAlreadyExists(report.status())) << report.status();
  EXPECT_THAT(report.status().message(), HasSubstr("0xc5000020"));
  EXPECT_EQ(kernel.Only(kvm::kSetDeviceAttr).size(), 2u);
}

TEST(InstallPlanInKvmTest, ReportsWhatThisKernelCannotOffer) {
  FakeKvm kernel;
  kernel.missing_registers.insert(kVendorHypBmap2);
  absl::StatusOr<KvmInstallReport> report =
      InstallPlanInKvm(PlanOf({kDiscoverImpl}), kVmFd, kVcpuFds, kernel);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_THAT(report->notes[0], HasSubstr("DISCOVER_IMPL_VER, DISCOVER_IMPL_CPUS"));
  EXPECT_EQ(kernel.Only(kvm::kSetDeviceAttr).size(), 1u);  // the filter went in all the same
}

}  // namespace
}  // namespace hypercall::shim
