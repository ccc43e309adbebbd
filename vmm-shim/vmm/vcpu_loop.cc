#include "vcpu_loop.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_arm64_vcpu.h"

namespace hypercall::vmm {
namespace {

// Unmapped MMIO accesses reported per vCPU before going quiet.
constexpr int kMaxUnmappedReports = 10;

// kvm_run.arm_nisv.
struct RunArmNisv {
  uint64_t esr_iss;
  uint64_t fault_ipa;
};

// Each handler returns false when this vCPU must stop running.

bool HandleHypercall(KvmVcpu& vcpu, const VcpuEnvironment& env, CallStats& stats) {
  shim::KvmArm64Vcpu backend(vcpu.fd(), vcpu.run());
  absl::StatusOr<shim::CallOutcome> outcome = env.shim.HandleHypercall(vcpu.index(), backend);
  if (!outcome.ok()) {
    env.stop.Request(1, absl::StrFormat("vCPU %u: answering a forwarded call failed: %s",
                                        vcpu.index(), outcome.status().ToString()));
    return false;
  }
  if (env.record_stats) stats.Record(*outcome);
  return true;
}

bool HandleMmio(KvmVcpu& vcpu, const VcpuEnvironment& env, int& unmapped_reports) {
  kvm::RunMmio& mmio = vcpu.exit<kvm::RunMmio>();
  const size_t len = std::min<size_t>(mmio.len, sizeof(mmio.data));
  if (!env.bus.Access(mmio.phys_addr, {mmio.data, len}, mmio.is_write != 0) &&
      unmapped_reports < kMaxUnmappedReports) {
    ++unmapped_reports;
    absl::FPrintF(stderr, "hypercall-vmm: vCPU %u: %u-byte %s at unmapped address 0x%x ignored%s\n",
                  vcpu.index(), len, mmio.is_write ? "write" : "read", mmio.phys_addr,
                  unmapped_reports == kMaxUnmappedReports ? " (not reporting more)" : "");
  }
  return true;
}

bool HandleSystemEvent(KvmVcpu& vcpu, const VcpuEnvironment& env) {
  const uint32_t type = vcpu.exit<kvm::RunSystemEvent>().type;
  switch (type) {
    case kvm::kSystemEventShutdown:
      env.stop.Request(0, "the guest powered off (PSCI SYSTEM_OFF)");
      return false;
    case kvm::kSystemEventReset:
      env.stop.Request(0,
                       "the guest asked for a reset (PSCI SYSTEM_RESET); hypercall-vmm does "
                       "not reboot guests, so it exits");
      return false;
    case kvm::kSystemEventCrash:
      env.stop.Request(1, absl::StrFormat("vCPU %u: the guest reported a crash", vcpu.index()));
      return false;
  }
  absl::FPrintF(stderr, "hypercall-vmm: vCPU %u: system event %u ignored\n", vcpu.index(), type);
  return true;
}

bool Fail(KvmVcpu& vcpu, const VcpuEnvironment& env, const std::string& what) {
  env.stop.Request(1, absl::StrFormat("vCPU %u: %s", vcpu.index(), what));
  return false;
}

}  // namespace

void RunVcpu(KvmVcpu& vcpu, const VcpuEnvironment& env, CallStats& stats) {
  int unmapped_reports = 0;
  bool running = true;
  while (running && !env.stop.requested()) {
    if (int r = vcpu.Run(); r == -EINTR) {
      continue;  // Kicked: the loop condition decides.
    } else if (r < 0) {
      Fail(vcpu, env, absl::StrFormat("KVM_RUN: %s", std::strerror(-r)));
      return;
    }
    const uint32_t reason = vcpu.header().exit_reason;
    switch (reason) {
      case kvm::kExitHypercall:
        running = HandleHypercall(vcpu, env, stats);
        break;
      case kvm::kExitMmio:
        running = HandleMmio(vcpu, env, unmapped_reports);
        break;
      case kvm::kExitSystemEvent:
        running = HandleSystemEvent(vcpu, env);
        break;
      case kvm::kExitIntr:
        break;
      case kvm::kExitFailEntry:
        running =
            Fail(vcpu, env,
                 absl::StrFormat("KVM could not enter the guest (FAIL_ENTRY, reason 0x%x)",
                                 vcpu.exit<kvm::RunFailEntry>().hardware_entry_failure_reason));
        break;
      case kvm::kExitInternalError:
        running = Fail(vcpu, env,
                       absl::StrFormat("KVM internal error (suberror %u)",
                                       vcpu.exit<kvm::RunInternal>().suberror));
        break;
      case kvm::kExitArmNisv:
        running = Fail(vcpu, env,
                       absl::StrFormat("the guest accessed 0x%x with an instruction KVM cannot "
                                       "emulate for MMIO (no valid syndrome): use plain loads "
                                       "and stores for devices",
                                       vcpu.exit<RunArmNisv>().fault_ipa));
        break;
      default:
        running =
            Fail(vcpu, env, absl::StrFormat("unexpected KVM exit %s", kvm::ExitReasonName(reason)));
        break;
    }
  }
}

}  // namespace hypercall::vmm
