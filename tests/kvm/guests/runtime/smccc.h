/*
 * Making SMCCC calls from a guest, and the function IDs and return codes the
 * conformance guests use (the guest's own copy of what hypercalld's providers
 * and KVM implement; see daemon/providers/ and /work/devcache/CONTRACT.md).
 */
#ifndef HYPERCALL_GUESTS_SMCCC_H_
#define HYPERCALL_GUESTS_SMCCC_H_

#include <stdint.h>

enum conduit { CONDUIT_HVC = 0, CONDUIT_SMC = 1 };

/* Registers x0..x17 in and out of a call, and a mask naming them all. */
#define SMCCC_REGS 18
#define SMCCC_ALL_REGS 0x3ffffu

/* Loads x0..x17 from regs, issues HVC #0 or SMC #0 and stores x0..x17 back
 * (smccc.S). */
void smccc(enum conduit conduit, uint64_t regs[SMCCC_REGS]);

/* Fills regs with the call `fid`, x1 = arg1, and x2..x17 = a sentinel per
 * register the caller can recognise: (tag << 32) | 0x5e000000 | i. */
void smccc_prepare(uint64_t regs[SMCCC_REGS], uint32_t fid, uint64_t arg1, uint32_t tag);

/* The sentinel smccc_prepare() puts in xi. */
uint64_t smccc_sentinel(uint32_t tag, int i);

/* Return codes as a 64-bit caller reads them (sign-extended). */
#define SMCCC_SUCCESS 0ull
#define SMCCC_NOT_SUPPORTED 0xffffffffffffffffull
#define SMCCC_INVALID_PARAMETER 0xfffffffffffffffdull
#define TRNG_INVALID_PARAMETERS 0xfffffffffffffffeull
/* w0 of an SMC32 call answering NOT_SUPPORTED. */
#define SMCCC32_NOT_SUPPORTED 0xffffffffull
#define SMCCC32_INVALID_PARAMETER 0xfffffffdull

/* Answered by KVM itself (reserved: never forwarded). */
#define SMCCC_VERSION 0x80000000u
/* PSCI: KVM's in-kernel implementation (not in the plan). */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u

/* hypercalld's probe provider (OEM service, owner 3). */
#define PROBE_ECHO_ALL64 0xc3000000u
#define PROBE_WRITE_SOME64 0xc3000001u
#define PROBE_WHO64 0xc3000002u
#define PROBE_LAST64 0xc300000fu
#define PROBE_ECHO_ALL32 0x83000000u
#define PROBE_WRITE_SOME32 0x83000001u
#define PROBE_WHO32 0x83000002u
#define PROBE_LAST32 0x8300000fu
/* ECHO_ALL answers xi = arg_i + i * PROBE_ECHO_STEP. */
#define PROBE_ECHO_STEP 0x1111111111111111ull
/* The probe's guest memory operand functions: x1/x2 are buffer addresses. */
#define PROBE_MEM_REVERSE64 0xc3000003u
#define PROBE_MEM_XOR64 0xc3000004u
#define PROBE_MEM_WHEN64 0xc3000005u
/* The first probe function number with nothing behind it: NOT_SUPPORTED. */
#define PROBE_UNIMPLEMENTED64 0xc3000006u
#define PROBE_MEM_REVERSE32 0x83000003u
/* MEM_WHEN's answer for a buffer outside RAM (its declared bad_address_x0). */
#define PROBE_MEM_WHEN_BAD_ADDRESS 5ull

/* The C++ SDK's example provider (hypercall-example-provider). */
#define EXAMPLE_ECHO64 0xc3000100u
#define EXAMPLE_UPPER64 0xc3000104u

/* hypercalld's TRNG provider (Arm DEN0098). */
#define TRNG_VERSION 0x84000050u
#define TRNG_FEATURES 0x84000051u
#define TRNG_GET_UUID 0x84000052u
#define TRNG_RND32 0x84000053u
#define TRNG_RND64 0xc4000053u

#endif /* HYPERCALL_GUESTS_SMCCC_H_ */
