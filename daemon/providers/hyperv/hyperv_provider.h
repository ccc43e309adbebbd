// The hyperv provider (first increment of issue 5): enough of the Hyper-V
// hypercall interface on arm64 for a Linux guest to detect Hyper-V and
// initialise (arch/arm64/hyperv/mshyperv.c). Off by default
// (`hypercalld --providers hyperv`, or a config's provider block, loads it);
// the config's `[options/hyperv] { ... }` block sets the version and feature
// registers (hyperv_options.h).
//
// It owns two function IDs:
//   0x8600FF01 CALL_UID: reads nothing; x0..x3 = the Hyper-V UID (hv_abi.h),
//     so the guest sees Hyper-V, not KVM.
//   0x46000001 the Hyper-V hypercall: reads x1..x7, x1 the control word
//     (call code, fast bit, rep count, rep start). A slow call (fast bit
//     clear) passes memory [0] x2 -> 4096 bytes in (the input page); a
//     slow GetVpRegisters also [1] x3 -> 4096 bytes out (the output page;
//     other calls may leave x3 0, as Linux does for SetVpRegisters). A page
//     outside guest RAM answers x0 = HV_STATUS_INVALID_PARAMETER. x0 =
//     status in 15:0 and reps completed in 43:32.
// Call codes:
//   HvCallGetVpRegisters (0x50), fast: x2 partition id (only
//     HV_PARTITION_ID_SELF, else INVALID_PARTITION_ID), x3 VP index in bits
//     31:0 (HV_VP_INDEX_SELF or the caller's own index, else
//     INVALID_VP_INDEX) and input VTL in 39:32 (only 0, else
//     INVALID_PARAMETER), x4 register name; rep count must be 1 and rep
//     start 0 (else INVALID_HYPERCALL_INPUT). Writes x0 and the value in
//     x6 (low) / x7 (high).
//   HvCallGetVpRegisters, slow: the input page holds u64 partition id, u32
//     VP index, u8 input VTL, 3 pad bytes, then u32 names[rep count]; the
//     output page gets 16-byte values[rep count], from rep start on (the
//     output is written from the page's start, so values before rep start
//     are written as zero). x2 and x3 must be 8-byte aligned
//     (INVALID_ALIGNMENT); rep count 0, rep start past it, or more names
//     or values than fit a page: INVALID_HYPERCALL_INPUT. A name that
//     fails stops the call there: its status, reps completed = its index.
//   HvCallSetVpRegisters (0x51), fast: x2..x4 as Get; the value in x6
//     (low) / x7 (high). Writes x0 only.
//   HvCallSetVpRegisters, slow: the input page holds the same header, then
//     32-byte HV_REGISTER_ASSOC entries[rep count] (u32 name, 12 reserved
//     bytes, 16-byte value), set from rep start on. x2 must be 8-byte
//     aligned; rep count 0, rep start past it, or more entries than fit
//     (127): INVALID_HYPERCALL_INPUT. A name that fails stops the call as
//     for Get.
//   Any other call code: HV_STATUS_INVALID_HYPERCALL_CODE.
// Registers: see VpRegisterFile. Handles untrusted input (any register
// values and page contents); thread-safe (the register file is locked).
#ifndef HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_PROVIDER_H_

#include <cstddef>

#include "hypercall/provider/provider.h"
#include "providers/hyperv/vp_register_file.h"

namespace hypercall::providers::hyperv {

class HypervProvider final : public provider::Provider {
 public:
  // `clock`, `max_vms` and `identity` (the version and feature registers,
  // from the config's options) go to the register file; tests pass their
  // own.
  explicit HypervProvider(
      MonotonicClock clock = [] { return std::chrono::steady_clock::now(); },
      size_t max_vms = kDefaultMaxVms, const HvIdentityRegisters& identity = {});

  std::string_view name() const override { return "hyperv"; }

  // CALL_UID (reads nothing) and the hypercall (x1..x7, the two pages).
  std::vector<provider::RangeClaim> Claims() const override;

  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;

  // Drops the VM's registers (GUEST_OS_ID, the TIME_REF_COUNT base).
  void VmDetached(std::string_view vm) override { registers_.Forget(vm); }

 private:
  smccc::Result Hypercall(const provider::CallContext& context, const smccc::Call& call);
  smccc::Result FastGetVpRegisters(const provider::CallContext& context, const smccc::Call& call);
  smccc::Result FastSetVpRegisters(const provider::CallContext& context, const smccc::Call& call);
  smccc::Result SlowGetVpRegisters(const provider::CallContext& context, const smccc::Call& call);
  smccc::Result SlowSetVpRegisters(const provider::CallContext& context, const smccc::Call& call);

  VpRegisterFile registers_;
};

}  // namespace hypercall::providers::hyperv

#endif  // HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_PROVIDER_H_
