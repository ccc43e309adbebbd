#include "hypercall/shim/kvm_stolen_time.h"

#include <cerrno>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::shim {
namespace {

using testing::FakeKvm;
using ::testing::HasSubstr;

constexpr int kVcpuFd = 51;

TEST(KvmStolenTimeTest, ProbeAsksHasDeviceAttrOnTheVcpuFd) {
  FakeKvm kernel;
  ASSERT_TRUE(KvmStolenTime(kVcpuFd, 1, kernel).Probe().ok());
  ASSERT_EQ(kernel.requests.size(), 1u);
  const FakeKvm::Request& r = kernel.requests[0];
  EXPECT_EQ(r.fd, kVcpuFd);
  EXPECT_EQ(r.request, 0x4018aee3ul);  // KVM_HAS_DEVICE_ATTR
  EXPECT_EQ(r.attr.group, 2u);         // KVM_ARM_VCPU_PVTIME_CTRL
  EXPECT_EQ(r.attr.attr, 0u);          // KVM_ARM_VCPU_PVTIME_IPA
}

TEST(KvmStolenTimeTest, ProbeOnAKernelWithoutStolenTimeSaysSo) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kHasDeviceAttr, ENXIO);
  absl::Status s = KvmStolenTime(kVcpuFd, 1, kernel).Probe();
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("keeps no stolen time"));
  EXPECT_THAT(s.message(), HasSubstr("without a stolen-time region"));
}

TEST(KvmStolenTimeTest, SetPassesTheIpaByPointer) {
  FakeKvm kernel;
  ASSERT_TRUE(KvmStolenTime(kVcpuFd, 1, kernel).Set(0x90a0040).ok());
  const std::vector<FakeKvm::Request> sets = kernel.Only(0x4018aee1ul);  // KVM_SET_DEVICE_ATTR
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].fd, kVcpuFd);
  EXPECT_EQ(sets[0].attr.flags, 0u);
  EXPECT_EQ(sets[0].attr.group, 2u);
  EXPECT_EQ(sets[0].attr.attr, 0u);
  EXPECT_EQ(sets[0].value, 0x90a0040u);
}

struct ErrnoCase {
  int errno_value;
  absl::StatusCode code;
  const char* says;
};

class KvmStolenTimeErrorTest : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(KvmStolenTimeErrorTest, NamesTheVcpuTheAddressAndWhatToDo) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kSetDeviceAttr, GetParam().errno_value);
  absl::Status s = KvmStolenTime(kVcpuFd, 1, kernel).Set(0x90a0040);
  EXPECT_EQ(s.code(), GetParam().code) << s;
  EXPECT_THAT(s.message(), HasSubstr("vCPU 1's stolen-time record at 0x90a0040"));
  EXPECT_THAT(s.message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Errnos, KvmStolenTimeErrorTest,
    ::testing::Values(
        ErrnoCase{EINVAL, absl::StatusCode::kInvalidArgument, "region a memslot"},
        ErrnoCase{EEXIST, absl::StatusCode::kAlreadyExists, "once per vCPU"},
        ErrnoCase{ENXIO, absl::StatusCode::kFailedPrecondition, "keeps no stolen time"},
        ErrnoCase{EFAULT, absl::StatusCode::kInvalidArgument, "KVM_SET_DEVICE_ATTR failed"}));

}  // namespace
}  // namespace hypercall::shim
