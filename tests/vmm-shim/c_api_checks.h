/* Checks of the shim's C API, written in C (c_api_checks.c) so the header is
 * proven to compile and work from C; GoogleTest runs them (c_api_*_test.cc).
 * Each returns NULL when it passes, or what went wrong. */
#ifndef HYPERCALL_TESTS_VMM_SHIM_C_API_CHECKS_H_
#define HYPERCALL_TESTS_VMM_SHIM_C_API_CHECKS_H_

#ifdef __cplusplus
extern "C" {
#endif

/* hypercall_shim_options_init fills the documented defaults. */
const char* check_options_defaults(void);
/* Connecting to `runtime_dir` where no daemon listens fails, with a message. */
const char* check_connect_without_daemon(const char* runtime_dir);
/* Missing arguments and RAM regions of which only some have a host mapping,
 * or that overlap, are refused with a message; close(NULL) is harmless. */
const char* check_bad_arguments(void);
/* With a daemon at `runtime_dir`: attach, read the plan, see the KVM entry
 * points report a bad fd, broker TRNG_VERSION through a callback vCPU, answer
 * an unplanned SMC32 ID locally, count both. */
const char* check_calls_through_daemon(const char* runtime_dir);
/* With a daemon at `runtime_dir` that runs the probe provider: a VM whose
 * RAM regions carry host mappings passes buffers (MEM_REVERSE), a straddling
 * buffer answers HYPERCALL_BAD_ADDRESS and is counted; a VM without host
 * mappings answers MEM_WHEN's own bad-address x0. */
const char* check_memory_operands(const char* runtime_dir);

#ifdef __cplusplus
}
#endif

#endif /* HYPERCALL_TESTS_VMM_SHIM_C_API_CHECKS_H_ */
