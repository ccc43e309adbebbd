// The arm64 KVM uAPI the reference VMM needs beyond the shim's slice
// (hypercall/shim/kvm_arm64_uapi.h): creating a VM, its memory, vCPUs and the
// in-kernel GICv3, running vCPUs and reading their exits. Written out from the
// Linux 6.12 headers (include/uapi/linux/kvm.h, arch/arm64/include/uapi/asm/
// kvm.h) so the VMM compiles, and its tests run, on any build machine;
// tests/vmm-shim/vmm/kvm_uapi_test.cc checks them.
#ifndef HYPERCALL_VMM_SHIM_VMM_KVM_UAPI_H_
#define HYPERCALL_VMM_SHIM_VMM_KVM_UAPI_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "hypercall/shim/kvm_arm64_uapi.h"

namespace hypercall::vmm::kvm {

using shim::kvm::DeviceAttr;
using shim::kvm::IocWrite;
using shim::kvm::OneReg;
using shim::kvm::RunHeader;
using shim::kvm::RunHypercall;

// _IO / _IOR / _IOWR(KVMIO, nr, size) of asm-generic/ioctl.h.
constexpr unsigned long IocNone(unsigned nr) { return (0xAEul << 8) | nr; }
constexpr unsigned long IocRead(unsigned nr, std::size_t size) {
  return (2ul << 30) | (static_cast<unsigned long>(size) << 16) | (0xAEul << 8) | nr;
}
constexpr unsigned long IocReadWrite(unsigned nr, std::size_t size) {
  return (3ul << 30) | (static_cast<unsigned long>(size) << 16) | (0xAEul << 8) | nr;
}

// struct kvm_userspace_memory_region.
struct UserspaceMemoryRegion {
  uint32_t slot;
  uint32_t flags;
  uint64_t guest_phys_addr;
  uint64_t memory_size;
  uint64_t userspace_addr;
};
static_assert(sizeof(UserspaceMemoryRegion) == 32);

// struct kvm_irq_level (irq, not status, on arm64).
struct IrqLevel {
  uint32_t irq;
  uint32_t level;
};
static_assert(sizeof(IrqLevel) == 8);

// struct kvm_vcpu_init (arm64).
struct VcpuInit {
  uint32_t target;
  uint32_t features[7];
};
static_assert(sizeof(VcpuInit) == 32);

// struct kvm_create_device.
struct CreateDevice {
  uint32_t type;
  uint32_t fd;
  uint32_t flags;
};
static_assert(sizeof(CreateDevice) == 12);

// /dev/kvm ioctls.
inline constexpr unsigned long kGetApiVersion = IocNone(0x00);
inline constexpr unsigned long kCreateVm = IocNone(0x01);
inline constexpr unsigned long kGetVcpuMmapSize = IocNone(0x04);
inline constexpr int kApiVersion = 12;
// VM ioctls.
inline constexpr unsigned long kCreateVcpu = IocNone(0x41);
inline constexpr unsigned long kSetUserMemoryRegion = IocWrite(0x46, sizeof(UserspaceMemoryRegion));
inline constexpr unsigned long kIrqLine = IocWrite(0x61, sizeof(IrqLevel));
inline constexpr unsigned long kArmPreferredTarget = IocRead(0xaf, sizeof(VcpuInit));
inline constexpr unsigned long kCreateDevice = IocReadWrite(0xe0, sizeof(CreateDevice));
using shim::kvm::kSetDeviceAttr;
// vCPU ioctls.
inline constexpr unsigned long kRun = IocNone(0x80);
inline constexpr unsigned long kArmVcpuInit = IocWrite(0xae, sizeof(VcpuInit));
using shim::kvm::kSetOneReg;

// kvm_vcpu_init.features[0] bits.
inline constexpr uint32_t kArmVcpuPowerOff = 1u << 0;
inline constexpr uint32_t kArmVcpuPsci02 = 1u << 2;

// The in-kernel GICv3 (KVM_CREATE_DEVICE) and its attributes.
inline constexpr uint32_t kDevTypeArmVgicV3 = 7;
inline constexpr uint32_t kDevArmVgicGrpAddr = 0;
inline constexpr uint64_t kVgicV3AddrTypeDist = 2;
inline constexpr uint64_t kVgicV3AddrTypeRedist = 3;
inline constexpr uint32_t kDevArmVgicGrpCtrl = 4;
inline constexpr uint64_t kDevArmVgicCtrlInit = 0;

// kvm_irq_level.irq on arm64: type << 24 | vcpu << 16 | number; an SPI's
// number is its INTID (32 + SPI index).
inline constexpr uint32_t kArmIrqTypeShift = 24;
inline constexpr uint32_t kArmIrqTypeSpi = 1;
inline constexpr uint32_t kGicSpiBase = 32;
constexpr uint32_t SpiIrqLine(uint32_t spi) {
  return (kArmIrqTypeSpi << kArmIrqTypeShift) | (kGicSpiBase + spi);
}

// ONE_REG id of the program counter (struct user_pt_regs.pc).
inline constexpr uint64_t kRegPc = 0x6030000000100040ull;
using shim::kvm::CoreRegisterId;

// kvm_run.exit_reason values the VMM handles or names.
inline constexpr uint32_t kExitUnknown = 0;
inline constexpr uint32_t kExitHypercall = shim::kvm::kExitHypercall;
inline constexpr uint32_t kExitMmio = 6;
inline constexpr uint32_t kExitShutdown = 8;
inline constexpr uint32_t kExitFailEntry = 9;
inline constexpr uint32_t kExitIntr = 10;
inline constexpr uint32_t kExitInternalError = 17;
inline constexpr uint32_t kExitSystemEvent = 24;
inline constexpr uint32_t kExitArmNisv = 28;

// kvm_run.system_event.type values.
inline constexpr uint32_t kSystemEventShutdown = 1;
inline constexpr uint32_t kSystemEventReset = 2;
inline constexpr uint32_t kSystemEventCrash = 3;

// Exit union members at shim::kvm::kRunExitUnionOffset.
// kvm_run.mmio.
struct RunMmio {
  uint64_t phys_addr;
  uint8_t data[8];
  uint32_t len;
  uint8_t is_write;
};
// kvm_run.system_event.
struct RunSystemEvent {
  uint32_t type;
  uint32_t ndata;
  uint64_t data[16];
};
// kvm_run.fail_entry.
struct RunFailEntry {
  uint64_t hardware_entry_failure_reason;
  uint32_t cpu;
};
// kvm_run.internal.
struct RunInternal {
  uint32_t suberror;
  uint32_t ndata;
  uint64_t data[16];
};
inline constexpr std::size_t kRunExitUnionOffset = shim::kvm::kRunExitUnionOffset;

// "MMIO", "HYPERCALL", "SYSTEM_EVENT", ..., or the number for others; for logs.
std::string ExitReasonName(uint32_t exit_reason);

}  // namespace hypercall::vmm::kvm

#endif  // HYPERCALL_VMM_SHIM_VMM_KVM_UAPI_H_
