// The slice of the Linux 6.12 arm64 KVM uAPI the shim uses: the SMCCC filter,
// ONE_REG core-register ids, the firmware feature bitmap pseudo-registers,
// the vCPU's stolen-time (PV time) attribute and the hypercall exit. Written out here because
// the build machine's headers are x86-64 (or older than 6.4) and lack them;
// keeping our own copy lets the KVM backend compile and unit-test anywhere.
// Values are checked against the kernel's in tests/vmm-shim.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_UAPI_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_UAPI_H_

#include <cstddef>
#include <cstdint>

namespace hypercall::shim::kvm {

// _IOW(KVMIO, nr, size) of asm-generic/ioctl.h (the encoding arm64 uses).
constexpr unsigned long IocWrite(unsigned nr, std::size_t size) {
  constexpr unsigned long kKvmIo = 0xAE;
  constexpr unsigned long kWrite = 1;
  return (kWrite << 30) | (static_cast<unsigned long>(size) << 16) | (kKvmIo << 8) | nr;
}

// struct kvm_device_attr.
struct DeviceAttr {
  uint32_t flags;
  uint32_t group;
  uint64_t attr;
  uint64_t addr;
};
static_assert(sizeof(DeviceAttr) == 16 + 8);

// struct kvm_one_reg.
struct OneReg {
  uint64_t id;
  uint64_t addr;
};
static_assert(sizeof(OneReg) == 16);

// struct kvm_smccc_filter: forward/deny/handle [base, base + nr_functions).
struct SmcccFilter {
  uint32_t base;
  uint32_t nr_functions;
  uint8_t action;
  uint8_t pad[15];
};
static_assert(sizeof(SmcccFilter) == 24);
static_assert(offsetof(SmcccFilter, action) == 8);

// VM ioctls.
inline constexpr unsigned long kSetDeviceAttr = IocWrite(0xe1, sizeof(DeviceAttr));
inline constexpr unsigned long kHasDeviceAttr = IocWrite(0xe3, sizeof(DeviceAttr));
// vCPU ioctls.
inline constexpr unsigned long kGetOneReg = IocWrite(0xab, sizeof(OneReg));
inline constexpr unsigned long kSetOneReg = IocWrite(0xac, sizeof(OneReg));

// VM device-attribute group and attribute of the SMCCC filter.
inline constexpr uint32_t kArmVmSmcccCtrl = 0;
inline constexpr uint64_t kArmVmSmcccFilter = 0;

// enum kvm_smccc_filter_action: the one the shim uses (HANDLE is 0, DENY 1).
inline constexpr uint8_t kSmcccFilterFwdToUser = 2;

// vCPU device-attribute group and attribute of PV time (DEN0057): addr points
// at the u64 IPA of the vCPU's 64-byte stolen-time record.
inline constexpr uint32_t kArmVcpuPvtimeCtrl = 2;
inline constexpr uint64_t kArmVcpuPvtimeIpa = 0;

// kvm_run.exit_reason of a forwarded SMCCC call.
inline constexpr uint32_t kExitHypercall = 3;
// kvm_run.hypercall.flags bit 0 on arm64: the guest used SMC, not HVC.
// (Bit 1, KVM_HYPERCALL_EXIT_16BIT, is always 0 for AArch64.)
inline constexpr uint64_t kHypercallExitSmc = 1u << 0;

// The leading fields of struct kvm_run (identical on every architecture).
struct RunHeader {
  uint8_t request_interrupt_window;
  uint8_t immediate_exit;
  uint8_t padding1[6];
  uint32_t exit_reason;
  uint8_t ready_for_interrupt_injection;
  uint8_t if_flag;
  uint16_t flags;
  uint64_t cr8;
  uint64_t apic_base;
};
static_assert(sizeof(RunHeader) == 32);

// kvm_run.hypercall, the exit union member at offset 32. On arm64 `nr` holds
// w0 as issued and `flags` the conduit; `args` and `ret` are unused.
struct RunHypercall {
  uint64_t nr;
  uint64_t args[6];
  uint64_t ret;
  uint64_t flags;
};
inline constexpr std::size_t kRunExitUnionOffset = sizeof(RunHeader);

// ONE_REG id of general-purpose register xN (0..30): KVM_REG_ARM64 |
// KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | offsetof(kvm_regs, regs.regs[N]) / 4.
constexpr uint64_t CoreRegisterId(int n) { return 0x6030000000100000ull + 2ull * n; }

// ONE_REG id of firmware feature bitmap pseudo-register n,
// KVM_REG_ARM_FW_FEAT_BMAP_REG(n): KVM_REG_ARM64 | KVM_REG_SIZE_U64 | 0x16 << 16 | n.
// VM-wide, read and written through any initialised vCPU; a write that
// changes one fails with EBUSY once a vCPU of the VM has run, and a register
// this kernel does not know fails with ENOENT.
constexpr uint64_t FwFeatBitmapRegId(int n) { return 0x6030000000160000ull + n; }
inline constexpr uint64_t kRegArmStdBmap = FwFeatBitmapRegId(0);
inline constexpr uint64_t kRegArmStdHypBmap = FwFeatBitmapRegId(1);
inline constexpr uint64_t kRegArmVendorHypBmap = FwFeatBitmapRegId(2);
inline constexpr uint64_t kRegArmVendorHypBmap2 = FwFeatBitmapRegId(3);  // Linux 6.15+
// Their bits (KVM_REG_ARM_*_BIT_*).
inline constexpr uint64_t kStdBitTrngV10 = 1u << 0;
inline constexpr uint64_t kStdHypBitPvTime = 1u << 0;
inline constexpr uint64_t kVendorHypBitFuncFeat = 1u << 0;  // KVM_FEATURES and CALL_UID
inline constexpr uint64_t kVendorHypBitPtp = 1u << 1;
inline constexpr uint64_t kVendorHypBitDiscoverImplVer = 1u << 0;
inline constexpr uint64_t kVendorHypBitDiscoverImplCpus = 1u << 1;

}  // namespace hypercall::shim::kvm

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_UAPI_H_
