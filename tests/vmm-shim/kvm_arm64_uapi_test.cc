// Our copy of the arm64 KVM uAPI against the numbers in the Linux 6.12
// headers, and, where the build machine's own <linux/kvm.h> has the same
// (architecture-independent) definitions, against those too.
#include "hypercall/shim/kvm_arm64_uapi.h"

#include <linux/kvm.h>

#include <cstddef>

#include "gtest/gtest.h"

namespace hypercall::shim::kvm {
namespace {

TEST(KvmArm64UapiTest, IoctlNumbersMatchLinux612) {
  EXPECT_EQ(kSetDeviceAttr, 0x4018aee1ul);
  EXPECT_EQ(kHasDeviceAttr, 0x4018aee3ul);
  EXPECT_EQ(kGetOneReg, 0x4010aeabul);
  EXPECT_EQ(kSetOneReg, 0x4010aeacul);
}

TEST(KvmArm64UapiTest, IoctlNumbersMatchHostHeaders) {
  EXPECT_EQ(kSetDeviceAttr, static_cast<unsigned long>(KVM_SET_DEVICE_ATTR));
  EXPECT_EQ(kHasDeviceAttr, static_cast<unsigned long>(KVM_HAS_DEVICE_ATTR));
  EXPECT_EQ(kGetOneReg, static_cast<unsigned long>(KVM_GET_ONE_REG));
  EXPECT_EQ(kSetOneReg, static_cast<unsigned long>(KVM_SET_ONE_REG));
  EXPECT_EQ(kExitHypercall, static_cast<uint32_t>(KVM_EXIT_HYPERCALL));
}

TEST(KvmArm64UapiTest, StructLayoutsMatchHostHeaders) {
  EXPECT_EQ(sizeof(DeviceAttr), sizeof(kvm_device_attr));
  EXPECT_EQ(offsetof(DeviceAttr, group), offsetof(kvm_device_attr, group));
  EXPECT_EQ(offsetof(DeviceAttr, attr), offsetof(kvm_device_attr, attr));
  EXPECT_EQ(offsetof(DeviceAttr, addr), offsetof(kvm_device_attr, addr));
  EXPECT_EQ(sizeof(OneReg), sizeof(kvm_one_reg));
  EXPECT_EQ(kRunExitUnionOffset, offsetof(kvm_run, hypercall));
  EXPECT_EQ(offsetof(kvm_run, exit_reason), offsetof(RunHeader, exit_reason));
  EXPECT_EQ(offsetof(RunHypercall, nr), offsetof(kvm_run, hypercall.nr) - kRunExitUnionOffset);
  // 6.4 turned `longmode` (+ pad) into `flags`, at the same place.
  EXPECT_EQ(offsetof(RunHypercall, flags),
            offsetof(kvm_run, hypercall.longmode) - kRunExitUnionOffset);
}

TEST(KvmArm64UapiTest, SmcccFilterIs24BytesWithActionAtOffset8) {
  EXPECT_EQ(sizeof(SmcccFilter), 24u);
  EXPECT_EQ(offsetof(SmcccFilter, base), 0u);
  EXPECT_EQ(offsetof(SmcccFilter, nr_functions), 4u);
  EXPECT_EQ(offsetof(SmcccFilter, action), 8u);
  EXPECT_EQ(kSmcccFilterFwdToUser, 2);
  EXPECT_EQ(kArmVmSmcccCtrl, 0u);
  EXPECT_EQ(kArmVmSmcccFilter, 0u);
}

TEST(KvmArm64UapiTest, CoreRegisterIds) {
  EXPECT_EQ(CoreRegisterId(0), 0x6030000000100000ull);
  EXPECT_EQ(CoreRegisterId(1), 0x6030000000100002ull);
  EXPECT_EQ(CoreRegisterId(17), 0x6030000000100022ull);
  // x30 sits just below sp (0x...3e) and pc (0x...40) in struct user_pt_regs.
  EXPECT_EQ(CoreRegisterId(30), 0x603000000010003cull);
}

TEST(KvmArm64UapiTest, FirmwareBitmapRegistersMatchLinux) {
  // KVM_REG_ARM_STD_BMAP .. KVM_REG_ARM_VENDOR_HYP_BMAP_2.
  EXPECT_EQ(kRegArmStdBmap, 0x6030000000160000ull);
  EXPECT_EQ(kRegArmStdHypBmap, 0x6030000000160001ull);
  EXPECT_EQ(kRegArmVendorHypBmap, 0x6030000000160002ull);
  EXPECT_EQ(kRegArmVendorHypBmap2, 0x6030000000160003ull);
  EXPECT_EQ(kStdBitTrngV10, 1u);
  EXPECT_EQ(kStdHypBitPvTime, 1u);
  EXPECT_EQ(kVendorHypBitFuncFeat, 1u);
  EXPECT_EQ(kVendorHypBitPtp, 2u);
  EXPECT_EQ(kVendorHypBitDiscoverImplVer, 1u);
  EXPECT_EQ(kVendorHypBitDiscoverImplCpus, 2u);
}

TEST(KvmArm64UapiTest, PvTimeAttributeMatchesLinux) {
  EXPECT_EQ(kArmVcpuPvtimeCtrl, 2u);  // KVM_ARM_VCPU_PVTIME_CTRL
  EXPECT_EQ(kArmVcpuPvtimeIpa, 0u);   // KVM_ARM_VCPU_PVTIME_IPA
}

}  // namespace
}  // namespace hypercall::shim::kvm
