#include "hypercall/shim/kvm_smccc_filter.h"

#include <cerrno>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/vmm.pb.h"

namespace hypercall::shim {
namespace {

using testing::FakeKvm;
using ::testing::HasSubstr;

constexpr int kVmFd = 42;

ForwardingPlan TwoRangePlan() {
  v1::ForwardingPlan proto;
  v1::PlannedRange* a = proto.add_ranges();
  a->set_first_function_id(0x84000050);
  a->set_count(16);
  a->set_args_read_mask(0x2);
  v1::PlannedRange* b = proto.add_ranges();
  b->set_first_function_id(0xc4000050);
  b->set_count(16);
  b->set_args_read_mask(0x2);
  return *ForwardingPlan::FromProto(proto);
}

TEST(KvmSmcccFilterTest, ProbeAsksHasDeviceAttrOnTheVmFd) {
  FakeKvm kernel;
  KvmSmcccFilter filter(kVmFd, kernel);
  ASSERT_TRUE(filter.Probe().ok());
  ASSERT_EQ(kernel.requests.size(), 1u);
  const FakeKvm::Request& r = kernel.requests[0];
  EXPECT_EQ(r.fd, kVmFd);
  EXPECT_EQ(r.request, 0x4018aee3ul);  // KVM_HAS_DEVICE_ATTR
  EXPECT_EQ(r.attr.flags, 0u);
  EXPECT_EQ(r.attr.group, 0u);  // KVM_ARM_VM_SMCCC_CTRL
  EXPECT_EQ(r.attr.attr, 0u);   // KVM_ARM_VM_SMCCC_FILTER
}

TEST(KvmSmcccFilterTest, ProbeOnAKernelWithoutTheFilterSaysSo) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kHasDeviceAttr, ENXIO);
  absl::Status s = KvmSmcccFilter(kVmFd, kernel).Probe();
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("no KVM SMCCC filter"));
  EXPECT_THAT(s.message(), HasSubstr("6.4"));
}

TEST(KvmSmcccFilterTest, ProbeReportsOtherErrnos) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kHasDeviceAttr, EBADF);
  absl::Status s = KvmSmcccFilter(kVmFd, kernel).Probe();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("KVM_HAS_DEVICE_ATTR"));
  EXPECT_THAT(s.message(), HasSubstr("Bad file descriptor"));
}

TEST(KvmSmcccFilterTest, InstallForwardsEveryPlannedRangeToUserspace) {
  FakeKvm kernel;
  ASSERT_TRUE(KvmSmcccFilter(kVmFd, kernel).Install(TwoRangePlan()).ok());
  ASSERT_EQ(kernel.requests.size(), 3u);
  EXPECT_EQ(kernel.requests[0].request, kvm::kHasDeviceAttr);
  const std::vector<FakeKvm::Request> sets = kernel.Only(0x4018aee1ul);  // KVM_SET_DEVICE_ATTR
  ASSERT_EQ(sets.size(), 2u);
  const uint32_t bases[] = {0x84000050, 0xc4000050};
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(sets[i].fd, kVmFd);
    EXPECT_EQ(sets[i].attr.group, 0u);
    EXPECT_EQ(sets[i].attr.attr, 0u);
    ASSERT_TRUE(sets[i].filter.has_value());
    EXPECT_EQ(sets[i].filter->base, bases[i]);
    EXPECT_EQ(sets[i].filter->nr_functions, 16u);
    EXPECT_EQ(sets[i].filter->action, 2);  // KVM_SMCCC_FILTER_FWD_TO_USER
    for (uint8_t pad : sets[i].filter->pad) EXPECT_EQ(pad, 0);
  }
}

TEST(KvmSmcccFilterTest, InstallStopsAtTheFirstRefusedRange) {
  FakeKvm kernel;
  kernel.FailNth(kvm::kSetDeviceAttr, 0, EEXIST);
  absl::Status s = KvmSmcccFilter(kVmFd, kernel).Install(TwoRangePlan());
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_EQ(kernel.Only(kvm::kSetDeviceAttr).size(), 1u);
}

TEST(KvmSmcccFilterTest, InstallWithoutTheFilterTouchesNothing) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kHasDeviceAttr, ENXIO);
  EXPECT_FALSE(KvmSmcccFilter(kVmFd, kernel).Install(TwoRangePlan()).ok());
  EXPECT_TRUE(kernel.Only(kvm::kSetDeviceAttr).empty());
}

struct ErrnoCase {
  int errno_value;
  absl::StatusCode code;
  const char* says;
};

class ForwardErrorTest : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(ForwardErrorTest, NamesTheRangeAndTheReason) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kSetDeviceAttr, GetParam().errno_value);
  absl::Status s = KvmSmcccFilter(kVmFd, kernel).Forward(0x84000050, 16);
  EXPECT_EQ(s.code(), GetParam().code) << s;
  EXPECT_THAT(s.message(), HasSubstr("0x84000050..0x8400005f"));
  EXPECT_THAT(s.message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Errnos, ForwardErrorTest,
    ::testing::Values(
        ErrnoCase{EBUSY, absl::StatusCode::kFailedPrecondition, "already run"},
        ErrnoCase{EEXIST, absl::StatusCode::kAlreadyExists, "reserved"},
        ErrnoCase{EINVAL, absl::StatusCode::kInvalidArgument, "EINVAL"},
        ErrnoCase{ENXIO, absl::StatusCode::kFailedPrecondition, "no KVM SMCCC filter"},
        ErrnoCase{EFAULT, absl::StatusCode::kInvalidArgument, "KVM_SET_DEVICE_ATTR failed"}));

}  // namespace
}  // namespace hypercall::shim
