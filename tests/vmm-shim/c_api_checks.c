#include "c_api_checks.h"

#include <stdio.h>
#include <string.h>

#include "hypercall/shim.h"

/* A guest's registers, accessed through hypercall_vcpu_ops. */
typedef struct test_vcpu {
  uint64_t x[18];
  int smc;
} test_vcpu;

static uint32_t vcpu_function_id(void* context) { return (uint32_t)((test_vcpu*)context)->x[0]; }

static int vcpu_is_smc(void* context) { return ((test_vcpu*)context)->smc; }

static int vcpu_read(void* context, int index, uint64_t* value) {
  *value = ((test_vcpu*)context)->x[index];
  return 0;
}

static int vcpu_write(void* context, int index, uint64_t value) {
  ((test_vcpu*)context)->x[index] = value;
  return 0;
}

static char message[512];

const char* check_options_defaults(void) {
  hypercall_shim_options options;
  memset(&options, 0xff, sizeof(options));
  hypercall_shim_options_init(&options);
  if (options.runtime_dir != NULL) return "runtime_dir default is not NULL";
  if (options.call_deadline_ms != 1000) return "call_deadline_ms default is not 1000";
  if (options.attach_timeout_ms != 5000) return "attach_timeout_ms default is not 5000";
  return NULL;
}

const char* check_connect_without_daemon(const char* runtime_dir) {
  hypercall_vm_info vm = {"c-api", NULL, 1, NULL, 0, 0, 0};
  hypercall_shim_options options;
  hypercall_shim_options_init(&options);
  options.runtime_dir = runtime_dir;
  options.attach_timeout_ms = 200;
  char err[256] = "";
  hypercall_shim* shim = hypercall_shim_connect(&vm, &options, err, sizeof(err));
  if (shim != NULL) {
    hypercall_shim_close(shim);
    return "connect succeeded with no daemon";
  }
  if (strstr(err, "no hypercalld answered") == NULL || strstr(err, runtime_dir) == NULL) {
    snprintf(message, sizeof(message), "unhelpful error: '%s'", err);
    return message;
  }
  return NULL;
}

const char* check_bad_arguments(void) {
  char err[256] = "";
  hypercall_vm_info nameless = {NULL, NULL, 1, NULL, 0, 0, 0};
  if (hypercall_shim_connect(&nameless, NULL, err, sizeof(err)) != NULL) {
    return "connect accepted a VM without a name";
  }
  if (strstr(err, "vm->name") == NULL) return "error does not name vm->name";
  /* A tiny buffer gets a terminated prefix. */
  char tiny[4] = "";
  if (hypercall_shim_connect(NULL, NULL, tiny, sizeof(tiny)) != NULL) {
    return "connect accepted a NULL vm";
  }
  if (strlen(tiny) != 3) return "error not truncated to the buffer";
  hypercall_shim_close(NULL);

  /* RAM regions: every one with its host mapping, or none; not overlapping. */
  static uint8_t bytes[2][64];
  const hypercall_ram_region half_mapped[2] = {{0x40000000, 64, bytes[0]}, {0x50000000, 64, NULL}};
  hypercall_vm_info vm = {"c-api", NULL, 1, half_mapped, 2, 0, 0};
  if (hypercall_shim_connect(&vm, NULL, err, sizeof(err)) != NULL) {
    return "connect accepted RAM regions of which only some are mapped";
  }
  if (strstr(err, "vm->ram[1].host is NULL") == NULL) {
    snprintf(message, sizeof(message), "half-mapped RAM: unhelpful error '%s'", err);
    return message;
  }
  const hypercall_ram_region overlapping[2] = {{0x40000000, 64, bytes[0]},
                                               {0x4000003f, 64, bytes[1]}};
  vm.ram = overlapping;
  if (hypercall_shim_connect(&vm, NULL, err, sizeof(err)) != NULL) {
    return "connect accepted overlapping RAM regions";
  }
  if (strstr(err, "overlap") == NULL) {
    snprintf(message, sizeof(message), "overlapping RAM: unhelpful error '%s'", err);
    return message;
  }
  return NULL;
}

const char* check_calls_through_daemon(const char* runtime_dir) {
  const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const hypercall_ram_region ram = {0x40000000, 64 << 20, NULL};
  hypercall_vm_info vm = {"c-api", uuid, 1, &ram, 1, 0, 0};
  hypercall_shim_options options;
  hypercall_shim_options_init(&options);
  options.runtime_dir = runtime_dir;
  char err[256] = "";
  hypercall_shim* shim = hypercall_shim_connect(&vm, &options, err, sizeof(err));
  if (shim == NULL) {
    snprintf(message, sizeof(message), "connect failed: %s", err);
    return message;
  }
  const char* failure = NULL;
  int trng_planned = 0;
  for (size_t i = 0; i < hypercall_shim_plan_size(shim); ++i) {
    hypercall_planned_range r;
    if (hypercall_shim_plan_range(shim, i, &r) != 0) failure = "plan_range failed in range";
    if (r.first_function_id <= 0x84000050u && 0x84000050u - r.first_function_id < r.count) {
      trng_planned = 1;
    }
  }
  hypercall_planned_range past;
  if (hypercall_shim_plan_range(shim, hypercall_shim_plan_size(shim), &past) != -1) {
    failure = "plan_range accepted an index past the end";
  }
  if (!trng_planned) failure = "TRNG_VERSION is not in the plan";

  /* The KVM entry points report the kernel's refusal (here: no such fd). */
  if (failure == NULL && (hypercall_shim_install_kvm_filter(shim, -1, err, sizeof(err)) != -1 ||
                          strstr(err, "Bad file descriptor") == NULL)) {
    snprintf(message, sizeof(message), "install_kvm_filter on fd -1: '%s'", err);
    failure = message;
  }
  const int vcpu_fds[2] = {-1, -1};
  char notes[256] = "unchanged";
  if (failure == NULL && (hypercall_shim_install_kvm(shim, -1, vcpu_fds, 2, notes, sizeof(notes),
                                                     err, sizeof(err)) != -1 ||
                          strstr(err, "every vCPU's fd: 1 for this VM, got 2") == NULL)) {
    snprintf(message, sizeof(message), "install_kvm with 2 fds for 1 vCPU: '%s'", err);
    failure = message;
  }
  if (failure == NULL &&
      (hypercall_shim_install_kvm(shim, -1, vcpu_fds, 1, notes, sizeof(notes), err, sizeof(err)) !=
           -1 ||
       strstr(err, "Bad file descriptor") == NULL || strcmp(notes, "unchanged") != 0)) {
    snprintf(message, sizeof(message), "install_kvm on fd -1: '%s', notes '%s'", err, notes);
    failure = message;
  }
  /* A kvm_run page stopped on TRNG_RND64 (exit_reason at 8, hypercall.nr at 32). */
  static uint64_t run_page[512];
  run_page[1] = 3;           /* KVM_EXIT_HYPERCALL */
  run_page[4] = 0xc4000053u; /* TRNG_RND64 */
  if (failure == NULL &&
      (hypercall_shim_handle_kvm_exit(shim, 0, -1, run_page, NULL, err, sizeof(err)) != -1 ||
       strstr(err, "KVM_GET_ONE_REG(x1)") == NULL)) {
    snprintf(message, sizeof(message), "handle_kvm_exit on fd -1: '%s'", err);
    failure = message;
  }

  test_vcpu vcpu;
  memset(&vcpu, 0, sizeof(vcpu));
  hypercall_vcpu_ops ops = {&vcpu, vcpu_function_id, vcpu_is_smc, vcpu_read, vcpu_write};
  hypercall_call_outcome out;

  vcpu.x[0] = 0x84000050u; /* TRNG_VERSION */
  if (failure == NULL && hypercall_shim_handle_call(shim, 0, &ops, &out, err, sizeof(err)) != 0) {
    snprintf(message, sizeof(message), "handle_call failed: %s", err);
    failure = message;
  }
  if (failure == NULL && (out.disposition != HYPERCALL_BROKERED || vcpu.x[0] != 0x10000)) {
    snprintf(message, sizeof(message), "TRNG_VERSION: disposition %d, x0 0x%llx", out.disposition,
             (unsigned long long)vcpu.x[0]);
    failure = message;
  }

  vcpu.x[0] = 0x82000001u; /* SiP SMC32: nobody's */
  vcpu.smc = 1;
  if (failure == NULL && hypercall_shim_handle_call(shim, 0, &ops, &out, err, sizeof(err)) != 0) {
    failure = "handle_call of an unplanned ID failed";
  }
  if (failure == NULL && (out.disposition != HYPERCALL_NOT_PLANNED || vcpu.x[0] != 0xffffffffu ||
                          out.register_reads != 0 || out.register_writes != 1)) {
    snprintf(message, sizeof(message),
             "unplanned SMC32: disposition %d, x0 0x%llx, reads %u, writes %u", out.disposition,
             (unsigned long long)vcpu.x[0], out.register_reads, out.register_writes);
    failure = message;
  }

  if (failure == NULL && hypercall_shim_handle_call(shim, 1, &ops, &out, err, sizeof(err)) == 0) {
    failure = "handle_call accepted vCPU 1 of a 1-vCPU VM";
  }

  hypercall_vcpu_stats stats;
  hypercall_shim_vcpu_stats(shim, 0, &stats);
  if (failure == NULL && (stats.calls != 2 || stats.brokered != 1 || stats.not_planned != 1)) {
    failure = "vCPU stats do not add up";
  }
  if (failure == NULL && hypercall_shim_connected(shim) != 1) failure = "not connected";
  hypercall_shim_close(shim);
  return failure;
}

/* Connects a 1-vCPU VM `name` with `ram` to the daemon at `runtime_dir`. */
static hypercall_shim* connect_vm(const char* runtime_dir, const char* name,
                                  const hypercall_ram_region* ram, size_t ram_count) {
  hypercall_vm_info vm = {name, NULL, 1, ram, ram_count, 0, 0};
  hypercall_shim_options options;
  hypercall_shim_options_init(&options);
  options.runtime_dir = runtime_dir;
  char err[256] = "";
  hypercall_shim* shim = hypercall_shim_connect(&vm, &options, err, sizeof(err));
  if (shim == NULL) snprintf(message, sizeof(message), "connect %s failed: %s", name, err);
  return shim;
}

/* Makes call `fid` (x1, x2) on vCPU 0 of `shim`; NULL, or what failed. */
static const char* call2(hypercall_shim* shim, test_vcpu* vcpu, uint32_t fid, uint64_t x1,
                         uint64_t x2, hypercall_call_outcome* out) {
  hypercall_vcpu_ops ops = {vcpu, vcpu_function_id, vcpu_is_smc, vcpu_read, vcpu_write};
  char err[256] = "";
  vcpu->x[0] = fid;
  vcpu->x[1] = x1;
  vcpu->x[2] = x2;
  vcpu->smc = 1;
  if (hypercall_shim_handle_call(shim, 0, &ops, out, err, sizeof(err)) != 0) {
    snprintf(message, sizeof(message), "handle_call 0x%x failed: %s", (unsigned)fid, err);
    return message;
  }
  return NULL;
}

const char* check_memory_operands(const char* runtime_dir) {
  enum { kSize = 4096 };
  static uint8_t low[kSize], high[kSize];
  const uint64_t kLow = 0x40000000, kHigh = 0x40001000;
  const hypercall_ram_region ram[2] = {{kLow, kSize, low}, {kHigh, kSize, high}};
  memset(low, 0, sizeof(low));
  memset(high, 0x77, sizeof(high));
  uint64_t sum = 0;
  for (int i = 0; i < 64; ++i) {
    low[i] = (uint8_t)(i + 1);
    sum += (uint64_t)(i + 1);
  }
  hypercall_shim* shim = connect_vm(runtime_dir, "c-api-memory", ram, 2);
  if (shim == NULL) return message;

  const char* failure = NULL;
  test_vcpu vcpu;
  memset(&vcpu, 0, sizeof(vcpu));
  hypercall_call_outcome out;
  /* MEM_REVERSE: 64 bytes at the start of `low` come back reversed at the
   * end of `high` (the end of RAM). */
  failure = call2(shim, &vcpu, 0xc3000003u, kLow, kHigh + kSize - 64, &out);
  if (failure == NULL &&
      (out.disposition != HYPERCALL_BROKERED || vcpu.x[0] != 0 || vcpu.x[1] != sum ||
       out.register_reads != 2 || out.register_writes != 2)) {
    snprintf(message, sizeof(message),
             "MEM_REVERSE: disposition %d, x0 0x%llx, x1 %llu (want %llu), reads %u, writes %u",
             out.disposition, (unsigned long long)vcpu.x[0], (unsigned long long)vcpu.x[1],
             (unsigned long long)sum, out.register_reads, out.register_writes);
    failure = message;
  }
  for (int i = 0; failure == NULL && i < 64; ++i) {
    if (high[kSize - 64 + i] != 64 - i) failure = "MEM_REVERSE: output byte wrong";
  }
  if (failure == NULL && high[kSize - 65] != 0x77) failure = "MEM_REVERSE wrote before its buffer";

  /* The output buffer straddling the two regions: answered locally. */
  if (failure == NULL) failure = call2(shim, &vcpu, 0xc3000003u, kLow, kHigh - 32, &out);
  if (failure == NULL && (out.disposition != HYPERCALL_BAD_ADDRESS || vcpu.x[0] != (uint64_t)-3 ||
                          out.register_writes != 1 || low[kSize - 32] != 0 || high[0] != 0x77)) {
    snprintf(message, sizeof(message), "straddling MEM_REVERSE: disposition %d, x0 0x%llx",
             out.disposition, (unsigned long long)vcpu.x[0]);
    failure = message;
  }
  hypercall_vcpu_stats stats;
  hypercall_shim_vcpu_stats(shim, 0, &stats);
  if (failure == NULL && (stats.calls != 2 || stats.brokered != 1 || stats.bad_address != 1 ||
                          stats.malformed_result != 0)) {
    failure = "vCPU stats do not count the bad address";
  }
  hypercall_shim_close(shim);
  if (failure != NULL) return failure;

  /* RAM without host mappings: no memory operands; MEM_WHEN's own x0. */
  const hypercall_ram_region unmapped = {kLow, kSize, NULL};
  shim = connect_vm(runtime_dir, "c-api-unmapped", &unmapped, 1);
  if (shim == NULL) return message;
  failure = call2(shim, &vcpu, 0xc3000005u, 0, kLow, &out);
  if (failure == NULL && (out.disposition != HYPERCALL_BAD_ADDRESS || vcpu.x[0] != 5)) {
    snprintf(message, sizeof(message), "unmapped MEM_WHEN: disposition %d, x0 0x%llx",
             out.disposition, (unsigned long long)vcpu.x[0]);
    failure = message;
  }
  hypercall_shim_close(shim);
  return failure;
}
