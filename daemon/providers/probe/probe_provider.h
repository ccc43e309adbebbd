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
//   3 MEM_REVERSE: reads x1, x2; memory [0] x1 -> 64 bytes in, [1] x2 -> 64
//                 bytes out. x0 = 0, x1 = sum of the 64 input bytes; the out
//                 buffer gets the input bytes reversed.
//   4 MEM_XOR:    reads x1, x2; memory [0] x1 -> 64 bytes inout: each byte
//                 ^= (x2 & 0xff). x0 = 0, x1 = input bytes that were not 0.
//   5 MEM_WHEN:   reads x1, x2; memory [0] x2 -> 16 bytes out, only when
//                 (x1 & 1) == 0, x0 = 5 when the buffer is outside guest RAM.
//                 Bit 0 of x1 clear: writes "hypercall-probe\0", x0 = 0,
//                 x1 = 16; set (no memory): x0 = 0, x1 = 0. (Like Hyper-V's
//                 fast and slow calls.)
//   others:       x0 = NOT_SUPPORTED.
// SMC32 calls get w-register semantics from the daemon (w1..w7 in, w0..w7
// out; buffer addresses are 32 bits). Handles untrusted input (any register
// values; a memory function whose buffer is missing answers NOT_SUPPORTED);
// stateless, so Handle() is thread-safe.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_

#include <cstdint>

#include "hypercall/provider/provider.h"

namespace hypercall::providers {

// The probe's ranges.
inline constexpr smccc::FunctionRange kProbeSmc64Range = {0xc3000000u, 0xc300000fu};
inline constexpr smccc::FunctionRange kProbeSmc32Range = {0x83000000u, 0x8300000fu};

// Function numbers within either range.
inline constexpr uint32_t kProbeEchoAll = 0;
inline constexpr uint32_t kProbeWriteSome = 1;
inline constexpr uint32_t kProbeWho = 2;
inline constexpr uint32_t kProbeMemReverse = 3;
inline constexpr uint32_t kProbeMemXor = 4;
inline constexpr uint32_t kProbeMemWhen = 5;

// The memory functions' buffer sizes, what MEM_WHEN writes, and its x0 for
// a buffer outside guest RAM.
inline constexpr uint32_t kProbeMemBytes = 64;
inline constexpr uint32_t kProbeMemWhenBytes = 16;
inline constexpr char kProbeMemWhenText[] = "hypercall-probe";  // 15 + NUL = 16 bytes.
inline constexpr uint64_t kProbeMemWhenBadAddress = 5;

// What ECHO_ALL adds to argument i: i * kProbeEchoStep.
inline constexpr uint64_t kProbeEchoStep = 0x1111111111111111u;

class ProbeProvider final : public provider::Provider {
 public:
  std::string_view name() const override { return "probe"; }

  // Per convention, one range per distinct read mask and memory operand
  // list, so the VMM reads no register and copies no memory a call does not
  // need: ECHO_ALL (x1..x17 for SMC64, x1..x7 for SMC32, which has no more
  // arguments); WRITE_SOME and WHO (x1); MEM_REVERSE, MEM_XOR and MEM_WHEN
  // one each (x1, x2 and their operands); the rest (x1).
  std::vector<provider::RangeClaim> Claims() const override;

  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROBE_PROBE_PROVIDER_H_
