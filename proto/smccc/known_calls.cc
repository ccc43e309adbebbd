#include "smccc/known_calls.h"

#include <strings.h>

#include "absl/strings/str_format.h"
#include "smccc/function_id.h"

namespace hypercall::smccc {
namespace {

struct NamedCall {
  uint32_t fid;
  std::string_view name;
};

// Sorted by nothing in particular: lookups are rare (listings, traces) and
// the table is small enough to scan.
constexpr NamedCall kNamedCalls[] = {
    // Arm architecture.
    {0x80000000, "SMCCC_VERSION"},
    {0x80000001, "SMCCC_ARCH_FEATURES"},
    {0x80000002, "SMCCC_ARCH_SOC_ID"},
    {0x80008000, "SMCCC_ARCH_WORKAROUND_1"},
    {0x80007fff, "SMCCC_ARCH_WORKAROUND_2"},
    {0x80003fff, "SMCCC_ARCH_WORKAROUND_3"},
    // PSCI.
    {0x84000000, "PSCI_VERSION"},
    {0x84000001, "PSCI_CPU_SUSPEND"},
    {0xc4000001, "PSCI_CPU_SUSPEND64"},
    {0x84000002, "PSCI_CPU_OFF"},
    {0x84000003, "PSCI_CPU_ON"},
    {0xc4000003, "PSCI_CPU_ON64"},
    {0x84000004, "PSCI_AFFINITY_INFO"},
    {0xc4000004, "PSCI_AFFINITY_INFO64"},
    {0x84000005, "PSCI_MIGRATE"},
    {0xc4000005, "PSCI_MIGRATE64"},
    {0x84000006, "PSCI_MIGRATE_INFO_TYPE"},
    {0x84000007, "PSCI_MIGRATE_INFO_UP_CPU"},
    {0xc4000007, "PSCI_MIGRATE_INFO_UP_CPU64"},
    {0x84000008, "PSCI_SYSTEM_OFF"},
    {0x84000009, "PSCI_SYSTEM_RESET"},
    {0x8400000a, "PSCI_FEATURES"},
    {0x8400000b, "PSCI_CPU_FREEZE"},
    {0x8400000c, "PSCI_CPU_DEFAULT_SUSPEND"},
    {0xc400000c, "PSCI_CPU_DEFAULT_SUSPEND64"},
    {0x8400000d, "PSCI_NODE_HW_STATE"},
    {0xc400000d, "PSCI_NODE_HW_STATE64"},
    {0x8400000e, "PSCI_SYSTEM_SUSPEND"},
    {0xc400000e, "PSCI_SYSTEM_SUSPEND64"},
    {0x8400000f, "PSCI_SET_SUSPEND_MODE"},
    {0x84000010, "PSCI_STAT_RESIDENCY"},
    {0xc4000010, "PSCI_STAT_RESIDENCY64"},
    {0x84000011, "PSCI_STAT_COUNT"},
    {0xc4000011, "PSCI_STAT_COUNT64"},
    {0x84000012, "PSCI_SYSTEM_RESET2"},
    {0xc4000012, "PSCI_SYSTEM_RESET2_64"},
    {0x84000013, "PSCI_MEM_PROTECT"},
    {0x84000014, "PSCI_MEM_PROTECT_CHECK_RANGE"},
    {0xc4000014, "PSCI_MEM_PROTECT_CHECK_RANGE64"},
    // TRNG.
    {0x84000050, "TRNG_VERSION"},
    {0x84000051, "TRNG_FEATURES"},
    {0x84000052, "TRNG_GET_UUID"},
    {0x84000053, "TRNG_RND32"},
    {0xc4000053, "TRNG_RND64"},
    // FF-A.
    {0x84000060, "FFA_ERROR"},
    {0x84000061, "FFA_SUCCESS"},
    {0xc4000061, "FFA_SUCCESS64"},
    {0x84000062, "FFA_INTERRUPT"},
    {0x84000063, "FFA_VERSION"},
    {0x84000064, "FFA_FEATURES"},
    {0x84000065, "FFA_RX_RELEASE"},
    {0x84000066, "FFA_RXTX_MAP"},
    {0xc4000066, "FFA_RXTX_MAP64"},
    {0x84000067, "FFA_RXTX_UNMAP"},
    {0x84000068, "FFA_PARTITION_INFO_GET"},
    {0x84000069, "FFA_ID_GET"},
    {0x8400006b, "FFA_MSG_WAIT"},
    {0x8400006c, "FFA_YIELD"},
    {0x8400006d, "FFA_RUN"},
    {0x8400006f, "FFA_MSG_SEND_DIRECT_REQ"},
    {0xc400006f, "FFA_MSG_SEND_DIRECT_REQ64"},
    {0x84000070, "FFA_MSG_SEND_DIRECT_RESP"},
    {0xc4000070, "FFA_MSG_SEND_DIRECT_RESP64"},
    {0xc400008d, "FFA_MSG_SEND_DIRECT_REQ2"},
    {0xc400008e, "FFA_MSG_SEND_DIRECT_RESP2"},
    // Standard hypervisor: PV time.
    {0xc5000020, "PV_TIME_FEATURES"},
    {0xc5000021, "PV_TIME_ST"},
    // Vendor hypervisor: KVM, Hyper-V.
    {0x8600ff01, "VENDOR_HYP_CALL_UID"},
    {0x8600ff03, "VENDOR_HYP_REVISION"},
    {0x86000000, "KVM_FEATURES"},
    {0x86000001, "KVM_PTP"},
    {0xc6000040, "KVM_DISCOVER_IMPL_VER"},
    {0xc6000041, "KVM_DISCOVER_IMPL_CPUS"},
    {0x46000001, "HYPERV_HYPERCALL"},
};

}  // namespace

std::optional<std::string_view> KnownCallName(uint32_t fid) {
  const uint32_t id = RoutingId(fid);
  for (const NamedCall& call : kNamedCalls) {
    if (call.fid == id) return call.name;
  }
  // Per-owner generic queries (DEN0028): Call Count, Call UID, Revision.
  switch (FunctionNumber(id)) {
    case 0xff00:
      return "CALL_COUNT";
    case 0xff01:
      return "CALL_UID";
    case 0xff03:
      return "REVISION";
    default:
      return std::nullopt;
  }
}

std::string CallName(uint32_t fid) {
  if (auto name = KnownCallName(fid)) return std::string(*name);
  return absl::StrFormat("%s_%s%s#0x%04x", OwnerShortName(OwnerOf(fid)),
                         IsSmc64(fid) ? "SMC64" : "SMC32", IsFastCall(fid) ? "" : "_yielding",
                         FunctionNumber(fid));
}

std::optional<uint32_t> FunctionIdByName(std::string_view name) {
  for (const NamedCall& call : kNamedCalls) {
    if (call.name.size() == name.size() &&
        strncasecmp(call.name.data(), name.data(), name.size()) == 0) {
      return call.fid;
    }
  }
  return std::nullopt;
}

}  // namespace hypercall::smccc
