// The Hyper-V hypercall ABI on arm64 as the hyperv provider speaks it (TLFS;
// Linux arch/arm64/hyperv/ and include/hyperv/hvgdk*.h): function IDs, the
// control word and result fields, status codes, register names, and the
// register values the provider reports.
#ifndef HYPERCALL_DAEMON_PROVIDERS_HYPERV_HV_ABI_H_
#define HYPERCALL_DAEMON_PROVIDERS_HYPERV_HV_ABI_H_

#include <array>
#include <cstdint>

namespace hypercall::providers::hyperv {

// SMCCC function IDs: the standard CALL_UID query (vendor hypervisor
// service) and the one Hyper-V hypercall (yielding, SMC64, owner 6).
inline constexpr uint32_t kCallUid = 0x8600ff01u;
inline constexpr uint32_t kHvFunctionId = 0x46000001u;

// CALL_UID's answer in x0..x3: the Hyper-V UID, which tells a Linux guest
// it runs on Hyper-V.
inline constexpr std::array<uint32_t, 4> kHypervUid = {0x4d32ba58u, 0xcd244764u, 0x8eef6c75u,
                                                       0x16597024u};

// Control word (x1): call code 15:0, fast bit 16, rep count 43:32, rep
// start 59:48.
inline constexpr uint64_t kCallCodeMask = 0xffff;
inline constexpr uint64_t kFastBit = uint64_t{1} << 16;
inline constexpr int kRepCountShift = 32;
inline constexpr int kRepStartShift = 48;
inline constexpr uint64_t kRepFieldMask = 0xfff;

// Result (x0): status 15:0, reps completed 43:32.
inline constexpr int kRepsCompletedShift = 32;

// Call codes.
inline constexpr uint16_t kHvCallGetVpRegisters = 0x0050;
inline constexpr uint16_t kHvCallSetVpRegisters = 0x0051;

// Status codes.
inline constexpr uint16_t kHvStatusSuccess = 0x0;
inline constexpr uint16_t kHvStatusInvalidHypercallCode = 0x2;
inline constexpr uint16_t kHvStatusInvalidHypercallInput = 0x3;
inline constexpr uint16_t kHvStatusInvalidAlignment = 0x4;
inline constexpr uint16_t kHvStatusInvalidParameter = 0x5;
inline constexpr uint16_t kHvStatusInvalidPartitionId = 0xd;
inline constexpr uint16_t kHvStatusInvalidVpIndex = 0xe;

// The calling partition and the calling VP.
inline constexpr uint64_t kHvPartitionIdSelf = ~uint64_t{0};
inline constexpr uint32_t kHvVpIndexSelf = 0xfffffffeu;

// Register names.
inline constexpr uint32_t kHvRegisterHypervisorVersion = 0x00000100;
inline constexpr uint32_t kHvRegisterPrivilegesAndFeaturesInfo = 0x00000200;
inline constexpr uint32_t kHvRegisterFeaturesInfo = 0x00000201;
inline constexpr uint32_t kHvRegisterGuestOsId = 0x00090002;
inline constexpr uint32_t kHvRegisterVpIndex = 0x00090003;
inline constexpr uint32_t kHvRegisterTimeRefCount = 0x00090004;

// A 128-bit register value.
struct HvRegisterValue {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const HvRegisterValue&) const = default;
};

// The identity registers' defaults: what every VM sees when the provider's
// config block sets nothing (hyperv_options.h applies the block).
//
// HYPERVISOR_VERSION: build 20348, version 10.0, service pack 0, branch 0
// (the layout Linux prints as "Host Build 10.0.20348.0-0-0").
inline constexpr HvRegisterValue kHypervisorVersion = {
    .low = 20348 | uint64_t{(10u << 16) | 0u} << 32, .high = 0};
// PRIVILEGES_AND_FEATURES_INFO: privileges low word (bit 1 partition
// reference counter, bit 5 hypercall registers, bit 6 VP index), no high
// privileges, no misc features.
inline constexpr HvRegisterValue kPrivilegesAndFeatures = {
    .low = (uint64_t{1} << 1) | (uint64_t{1} << 5) | (uint64_t{1} << 6), .high = 0};
// FEATURES_INFO: no enlightenment hints.
inline constexpr HvRegisterValue kFeaturesInfo = {.low = 0, .high = 0};

// The registers a guest reads to learn what it runs on: the same for every
// VM and VP of one provider.
struct HvIdentityRegisters {
  HvRegisterValue hypervisor_version = kHypervisorVersion;
  HvRegisterValue privileges_and_features = kPrivilegesAndFeatures;
  HvRegisterValue features_info = kFeaturesInfo;
  bool operator==(const HvIdentityRegisters&) const = default;
};

// Slow calls pass one page in and (GetVpRegisters) one page out.
inline constexpr uint32_t kHvPageBytes = 4096;
// The Get/SetVpRegisters input header: u64 partition id, u32 VP index, u8
// input VTL, 3 pad bytes.
inline constexpr uint32_t kVpRegistersHeaderBytes = 16;
// GetVpRegisters: u32 names follow the header; 16-byte values go out.
inline constexpr uint32_t kRegisterNameBytes = 4;
inline constexpr uint32_t kRegisterValueBytes = 16;
// SetVpRegisters: HV_REGISTER_ASSOC entries follow the header: u32 name,
// 12 reserved bytes, the 16-byte value.
inline constexpr uint32_t kRegisterAssocBytes = 32;
inline constexpr uint32_t kRegisterAssocValueOffset = 16;
// The most reps whose entries (and values) fit one page.
inline constexpr uint32_t kMaxGetVpRegistersReps = kHvPageBytes / kRegisterValueBytes;  // 256
inline constexpr uint32_t kMaxSetVpRegistersReps =
    (kHvPageBytes - kVpRegistersHeaderBytes) / kRegisterAssocBytes;  // 127
static_assert(kVpRegistersHeaderBytes + kRegisterNameBytes * kMaxGetVpRegistersReps <=
              kHvPageBytes);

}  // namespace hypercall::providers::hyperv

#endif  // HYPERCALL_DAEMON_PROVIDERS_HYPERV_HV_ABI_H_
