// What a VMM tells the shim when it connects: the VM it runs and how the shim
// should behave towards the daemon (deadlines, reconnection, logging).
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_OPTIONS_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_OPTIONS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "wire/runtime_dir.h"

namespace hypercall::shim {

struct RamRegion {
  // Guest-physical address of the first byte.
  uint64_t guest_phys_addr = 0;
  // Length in bytes; non-zero.
  uint64_t size = 0;
};

// Guest-physical memory set aside for the vCPUs' PV stolen-time records
// (DEN0057), one 64-byte record per vCPU: backed by a memslot of its own and
// not described to the guest as RAM. size 0: the VM has none.
struct StolenTimeRegion {
  // 64-byte aligned.
  uint64_t guest_phys_addr = 0;
  // At least 64 * vcpu_count bytes, or 0.
  uint64_t size = 0;
};

// The VM as the daemon sees it (v1::VmInfo); the daemon validates it.
struct VmDescription {
  // 1-64 characters from [A-Za-z0-9._-]; unique among live VMs.
  std::string name;
  // The VM's UUID, if it has one.
  std::optional<std::array<uint8_t, 16>> uuid;
  // 1..512.
  uint32_t vcpu_count = 1;
  // Guest RAM layout, at most 64 regions.
  std::vector<RamRegion> ram;
  // Where the plan may put stolen-time records (VmInfo.stolen_time); the
  // daemon plans them only when it forwards PV time.
  StolenTimeRegion stolen_time;
};

enum class LogSeverity { kInfo, kWarning, kError };

struct ShimOptions {
  // Directory holding the daemon's vmm.sock.
  std::string runtime_dir = std::string(wire::kDefaultRuntimeDir);
  // Longest a guest waits for one call. When the daemon is gone, or slower
  // than this, the call answers NOT_SUPPORTED instead.
  std::chrono::milliseconds call_deadline{1000};
  // Connect() waits this long for the daemon to accept the attach (it may be
  // starting up alongside the VMM) before it fails.
  std::chrono::milliseconds attach_timeout{5000};
  // After the daemon went away, the first re-attach attempt waits this long;
  // each failure doubles the wait up to reconnect_backoff_max.
  std::chrono::milliseconds reconnect_backoff_initial{100};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  // While no call notices trouble, the shim checks this often whether the
  // daemon is still there: bounds how stale connected() can be and how soon
  // an idle VM re-attaches after a daemon restart.
  std::chrono::milliseconds liveness_check_interval{250};
  // "name/version" of the VMM, sent in the handshake and shown in listings.
  std::string software = "hypercall-shim";
  // Where the shim's log lines go (connection lost, re-attached, plan
  // changed). Empty: stderr with syslog-style level prefixes ("<4>...").
  // Called from the shim's session thread; must be thread-safe.
  std::function<void(LogSeverity, const std::string&)> log;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_OPTIONS_H_
