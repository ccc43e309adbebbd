// hypercall-vmm's command line (QEMU/kvmtool-like): the VM's shape, what it
// boots, and which daemon brokers its calls.
#ifndef HYPERCALL_VMM_SHIM_VMM_VMM_OPTIONS_H_
#define HYPERCALL_VMM_SHIM_VMM_VMM_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platform.h"
#include "wire/runtime_dir.h"

namespace hypercall::vmm {

struct VmmOptions {
  // The VM's name at the daemon; empty: "hypercall-vmm-<pid>".
  std::string name;
  // vCPUs, 1..platform::kMaxVcpus. vCPU 0 boots; the others wait for PSCI CPU_ON.
  uint32_t cpus = 1;
  // Guest RAM in MiB, platform::kMinRamMiB..kMaxRamMiB.
  uint64_t memory_mib = platform::kDefaultRamMiB;
  // A raw binary loaded at the start of RAM (exclusive with `kernel`).
  std::string guest;
  // A Linux arm64 Image, booted per the arm64 boot protocol.
  std::string kernel;
  // With `kernel` only: an initrd, and the kernel command line.
  std::string initrd;
  std::string append;
  // The daemon's socket directory.
  std::string runtime_dir = std::string(wire::kDefaultRuntimeDir);
  // Longest a guest waits for one brokered call before it gets NOT_SUPPORTED.
  uint32_t call_deadline_ms = 1000;
  // Print the per-function call table to stderr on exit.
  bool stats = false;
  // Give the VM a stolen-time region (platform::kStolenTimeBase), so a daemon
  // that forwards PV time can plan each vCPU a record. --no-stolen-time: none.
  bool stolen_time = true;
  bool show_help = false;
};

std::string VmmUsage();

// `args` without the program name. InvalidArgument saying which flag is
// wrong and why (the caller exits 2).
absl::StatusOr<VmmOptions> ParseVmmOptions(const std::vector<std::string>& args);

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_VMM_OPTIONS_H_
