// The VMM's copy of the arm64 KVM uAPI against the Linux 6.12 numbers, and,
// for what is architecture-independent, against the build machine's own
// <linux/kvm.h>.
#include "kvm_uapi.h"

#include <linux/kvm.h>

#include <cstddef>

#include "gtest/gtest.h"

namespace hypercall::vmm::kvm {
namespace {

TEST(VmmKvmUapiTest, GenericIoctlsMatchHostHeaders) {
  EXPECT_EQ(kGetApiVersion, static_cast<unsigned long>(KVM_GET_API_VERSION));
  EXPECT_EQ(kCreateVm, static_cast<unsigned long>(KVM_CREATE_VM));
  EXPECT_EQ(kGetVcpuMmapSize, static_cast<unsigned long>(KVM_GET_VCPU_MMAP_SIZE));
  EXPECT_EQ(kCreateVcpu, static_cast<unsigned long>(KVM_CREATE_VCPU));
  EXPECT_EQ(kSetUserMemoryRegion, static_cast<unsigned long>(KVM_SET_USER_MEMORY_REGION));
  EXPECT_EQ(kIrqLine, static_cast<unsigned long>(KVM_IRQ_LINE));
  EXPECT_EQ(kCreateDevice, static_cast<unsigned long>(KVM_CREATE_DEVICE));
  EXPECT_EQ(kRun, static_cast<unsigned long>(KVM_RUN));
  EXPECT_EQ(kApiVersion, KVM_API_VERSION);
}

TEST(VmmKvmUapiTest, Arm64IoctlsMatchLinux612) {
  // KVM_ARM_VCPU_INIT / KVM_ARM_PREFERRED_TARGET take struct kvm_vcpu_init,
  // which only arm64 headers define.
  EXPECT_EQ(kArmVcpuInit, 0x4020aeaeul);
  EXPECT_EQ(kArmPreferredTarget, 0x8020aeaful);
  EXPECT_EQ(kCreateDevice, 0xc00caee0ul);
  EXPECT_EQ(kIrqLine, 0x4008ae61ul);
}

TEST(VmmKvmUapiTest, Arm64ConstantsMatchLinux612) {
  EXPECT_EQ(kArmVcpuPowerOff, 1u << 0);  // KVM_ARM_VCPU_POWER_OFF
  EXPECT_EQ(kArmVcpuPsci02, 1u << 2);    // KVM_ARM_VCPU_PSCI_0_2
  EXPECT_EQ(kDevTypeArmVgicV3, static_cast<uint32_t>(KVM_DEV_TYPE_ARM_VGIC_V3));
  EXPECT_EQ(kVgicV3AddrTypeDist, 2u);
  EXPECT_EQ(kVgicV3AddrTypeRedist, 3u);
  EXPECT_EQ(kDevArmVgicGrpAddr, 0u);
  EXPECT_EQ(kDevArmVgicGrpCtrl, 4u);
  EXPECT_EQ(kDevArmVgicCtrlInit, 0u);
  EXPECT_EQ(SpiIrqLine(1), 0x01000021u);  // type SPI << 24 | INTID 33
  EXPECT_EQ(kRegPc, 0x6030000000100040ull);
}

TEST(VmmKvmUapiTest, ExitReasonsMatchHostHeaders) {
  EXPECT_EQ(kExitUnknown, static_cast<uint32_t>(KVM_EXIT_UNKNOWN));
  EXPECT_EQ(kExitMmio, static_cast<uint32_t>(KVM_EXIT_MMIO));
  EXPECT_EQ(kExitShutdown, static_cast<uint32_t>(KVM_EXIT_SHUTDOWN));
  EXPECT_EQ(kExitFailEntry, static_cast<uint32_t>(KVM_EXIT_FAIL_ENTRY));
  EXPECT_EQ(kExitIntr, static_cast<uint32_t>(KVM_EXIT_INTR));
  EXPECT_EQ(kExitInternalError, static_cast<uint32_t>(KVM_EXIT_INTERNAL_ERROR));
  EXPECT_EQ(kExitSystemEvent, static_cast<uint32_t>(KVM_EXIT_SYSTEM_EVENT));
  EXPECT_EQ(kExitArmNisv, static_cast<uint32_t>(KVM_EXIT_ARM_NISV));
  EXPECT_EQ(kSystemEventShutdown, static_cast<uint32_t>(KVM_SYSTEM_EVENT_SHUTDOWN));
  EXPECT_EQ(kSystemEventReset, static_cast<uint32_t>(KVM_SYSTEM_EVENT_RESET));
  EXPECT_EQ(kSystemEventCrash, static_cast<uint32_t>(KVM_SYSTEM_EVENT_CRASH));
  EXPECT_EQ(ExitReasonName(kExitMmio), "MMIO");
  EXPECT_EQ(ExitReasonName(99), "exit reason 99");
}

TEST(VmmKvmUapiTest, StructLayoutsMatchHostHeaders) {
  EXPECT_EQ(sizeof(UserspaceMemoryRegion), sizeof(kvm_userspace_memory_region));
  EXPECT_EQ(offsetof(UserspaceMemoryRegion, userspace_addr),
            offsetof(kvm_userspace_memory_region, userspace_addr));
  EXPECT_EQ(sizeof(IrqLevel), sizeof(kvm_irq_level));
  EXPECT_EQ(offsetof(IrqLevel, level), offsetof(kvm_irq_level, level));
  EXPECT_EQ(sizeof(CreateDevice), sizeof(kvm_create_device));
  EXPECT_EQ(offsetof(CreateDevice, fd), offsetof(kvm_create_device, fd));
  EXPECT_EQ(offsetof(RunHeader, immediate_exit), offsetof(kvm_run, immediate_exit));

  EXPECT_EQ(kRunExitUnionOffset, offsetof(kvm_run, mmio));
  EXPECT_EQ(offsetof(RunMmio, data), offsetof(kvm_run, mmio.data) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunMmio, len), offsetof(kvm_run, mmio.len) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunMmio, is_write), offsetof(kvm_run, mmio.is_write) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunSystemEvent, type),
            offsetof(kvm_run, system_event.type) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunSystemEvent, data),
            offsetof(kvm_run, system_event.data) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunFailEntry, cpu), offsetof(kvm_run, fail_entry.cpu) - kRunExitUnionOffset);
  EXPECT_EQ(offsetof(RunInternal, suberror),
            offsetof(kvm_run, internal.suberror) - kRunExitUnionOffset);
}

}  // namespace
}  // namespace hypercall::vmm::kvm
