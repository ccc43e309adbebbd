// A vCPU thread's life: KVM_RUN, then one named handler per exit reason (a
// flat switch, as in kvmtool's kvm-cpu.c), until the VM stops. Forwarded
// SMCCC calls go to the shim, MMIO to the device bus, PSCI SYSTEM_OFF/RESET
// and fatal errors to VmStop. Runtime oddities a guest can cause (an access
// to unmapped MMIO) are logged and survived.
#ifndef HYPERCALL_VMM_SHIM_VMM_VCPU_LOOP_H_
#define HYPERCALL_VMM_SHIM_VMM_VCPU_LOOP_H_

#include "call_stats.h"
#include "hypercall/shim/shim.h"
#include "kvm_vcpu.h"
#include "mmio_bus.h"
#include "vm_stop.h"

namespace hypercall::vmm {

// What every vCPU thread shares; all of it outlives the threads.
struct VcpuEnvironment {
  shim::Shim& shim;
  const MmioBus& bus;
  VmStop& stop;
  // Record each call's outcome (--stats).
  bool record_stats = false;
};

// Runs `vcpu` on the calling thread until env.stop is requested; calls go
// into `stats` (the thread's own).
void RunVcpu(KvmVcpu& vcpu, const VcpuEnvironment& env, CallStats& stats);

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_VCPU_LOOP_H_
