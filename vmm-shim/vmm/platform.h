// The machine hypercall-vmm gives its guests: the guest-physical map, the
// interrupt numbers and the limits that follow from them. This is the VMM's
// ABI to guests (bare-metal conformance guests hard-code it; Linux reads it
// from the device tree), so change it only together with them.
#ifndef HYPERCALL_VMM_SHIM_VMM_PLATFORM_H_
#define HYPERCALL_VMM_SHIM_VMM_PLATFORM_H_

#include <cstdint>

namespace hypercall::vmm::platform {

inline constexpr uint64_t kMiB = 1ull << 20;

// RAM: one region from 1 GiB, --memory MiB long.
inline constexpr uint64_t kRamBase = 0x40000000;
inline constexpr uint64_t kDefaultRamMiB = 256;
// Room for the device tree (top 2 MiB) and a small guest.
inline constexpr uint64_t kMinRamMiB = 4;
// KVM's default IPA space is 40 bits (1 TiB); RAM starts at 1 GiB.
inline constexpr uint64_t kMaxRamMiB = (1ull << 40) / kMiB - kRamBase / kMiB;

// GICv3: the distributor, then one 128 KiB redistributor frame per vCPU.
inline constexpr uint64_t kGicDistBase = 0x08000000;
inline constexpr uint64_t kGicDistSize = 0x10000;
inline constexpr uint64_t kGicRedistBase = 0x080A0000;
inline constexpr uint64_t kGicRedistSizePerCpu = 0x20000;

// ns16550a UART (reg-shift 0, reg-io-width 1), interrupt SPI 1 level-high.
inline constexpr uint64_t kUartBase = 0x09000000;
inline constexpr uint64_t kUartSize = 0x1000;
inline constexpr uint32_t kUartSpi = 1;
inline constexpr uint32_t kUartClockHz = 1843200;

// Exit device ("hypercall,vmm-exit"): a store of V at offset 0 ends the VM
// with status V & 0xff.
inline constexpr uint64_t kExitDeviceBase = 0x09010000;
inline constexpr uint64_t kExitDeviceSize = 0x1000;

// PV stolen-time records (Arm DEN0057), 64 bytes per vCPU, where QEMU's virt
// has them: memory of its own memslot, not in the device tree's memory node
// (the guest finds each record with PV_TIME_ST). Page-aligned and sized for
// 4K, 16K and 64K host pages.
inline constexpr uint64_t kStolenTimeBase = 0x090a0000;
inline constexpr uint64_t kStolenTimeSize = 0x10000;
static_assert(kExitDeviceBase + kExitDeviceSize <= kStolenTimeBase);
static_assert(kStolenTimeBase + kStolenTimeSize <= kRamBase);
static_assert(kStolenTimeBase % kStolenTimeSize == 0);

// The redistributors must end below the UART: 123 vCPUs, as on QEMU's virt.
inline constexpr uint32_t kMaxVcpus =
    static_cast<uint32_t>((kUartBase - kGicRedistBase) / kGicRedistSizePerCpu);
static_assert(kMaxVcpus * 64 <= kStolenTimeSize);

// Arch timer PPIs (secure, non-secure, virtual, hypervisor physical).
inline constexpr uint32_t kTimerPpiSecure = 13;
inline constexpr uint32_t kTimerPpiNonSecure = 14;
inline constexpr uint32_t kTimerPpiVirtual = 11;
inline constexpr uint32_t kTimerPpiHyp = 10;

// The device tree sits in the top 2 MiB of RAM (arm64 booting.rst: at most
// 2 MiB, 8-byte aligned, in a 2 MiB region of its own).
inline constexpr uint64_t kDtbRegionSize = 2 * kMiB;

// MPIDR_EL1 affinity KVM gives vCPU `index` (arch/arm64/kvm/sys_regs.c,
// reset_mpidr): Aff0 = index[3:0], Aff1 = index[11:4], Aff2 = index[19:12].
constexpr uint64_t VcpuMpidr(uint32_t index) {
  return (index & 0xfu) | (((index >> 4) & 0xffu) << 8) | (((index >> 12) & 0xffu) << 16);
}

}  // namespace hypercall::vmm::platform

#endif  // HYPERCALL_VMM_SHIM_VMM_PLATFORM_H_
