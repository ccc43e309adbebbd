// The probe provider: a diagnostic that answers from the registers alone, so
// an operator (or a conformance guest) can check the whole path from a
// guest's HVC/SMC through the VMM and the daemon and back, register by
// register. Off by default (`hypercalld --providers trng,probe` loads it).
//
// It owns the first 16 OEM-service fast calls (owner 3), both conventions:
// SMC64 0xC3000000-0xC300000F and SMC32 0x83000000-0x8300000F. By function
// number:
//   0 ECHO_ALL:   reads x1..x17; x0 = 0, x(i) = arg(i) + i * 0x1111111111111111.
//   1 WRITE_SOME: reads x1 = mask; x0 = 0 and, for each bit i (1..17) set,
//                 x(i) = ~i; other registers keep the guest's values.
//   2 WHO:        reads x1; x0 = 0, x1 = calling vCPU index, x2 = arg1 + 1.
//   others:       x0 = NOT_SUPPORTED.
// SMC32 calls get w-register semantics from the daemon (w1..w7 in, w0..w7
// out). Handles untrusted input (any register values); stateless, so
// Handle() is thread-safe.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_

#include <cstdint>

#include "providers/provider.h"

namespace hypercall::providers {

// The probe's ranges.
inline constexpr smccc::FunctionRange kProbeSmc64Range = {0xc3000000u, 0xc300000fu};
inline constexpr smccc::FunctionRange kProbeSmc32Range = {0x83000000u, 0x8300000fu};

// Function numbers within either range.
inline constexpr uint32_t kProbeEchoAll = 0;
inline constexpr uint32_t kProbeWriteSome = 1;
inline constexpr uint32_t kProbeWho = 2;

// What ECHO_ALL adds to argument i: i * kProbeEchoStep.
inline constexpr uint64_t kProbeEchoStep = 0x1111111111111111u;

class ProbeProvider final : public Provider {
 public:
  std::string_view name() const override { return "probe"; }

  // One range per distinct read mask, so the VMM reads no register it need
  // not: ECHO_ALL alone (x1..x17 for SMC64, x1..x7 for SMC32, which has no
  // more arguments), and the rest of each range (x1).
  std::vector<RangeClaim> Claims() const override;

  void Handle(const CallContext& context, const smccc::Call& call, Completion& done) override;
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_
