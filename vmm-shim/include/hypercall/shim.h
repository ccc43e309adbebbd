/* libhypercall-shim for VMMs not written in C++: the same shim as
 * hypercall/shim/shim.h behind a plain C interface. Connect (attach the VM),
 * read the forwarding plan, install it in KVM before the first KVM_RUN, then
 * on each KVM_EXIT_HYPERCALL call hypercall_shim_handle_kvm_exit from that
 * vCPU's thread. Functions that can fail return 0 on success and -1 on
 * failure, with a message in `err` (when non-NULL; truncated to err_size).
 *
 * Memory operands: when each hypercall_ram_region also says where the VMM
 * maps it (`host`), calls in ranges that pass buffers by guest-physical
 * address get them copied from and written back to guest RAM, bounds-checked
 * against these regions. Without host mappings such calls answer the
 * operand's bad-address x0 (HYPERCALL_BAD_ADDRESS). */
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A VM attached to hypercalld. */
typedef struct hypercall_shim hypercall_shim;

typedef struct hypercall_ram_region {
  uint64_t guest_phys_addr; /* first byte */
  uint64_t size;            /* bytes, non-zero */
  void* host;               /* where the VMM maps these `size` bytes (KVM: the memslot's
                               userspace_addr), read-write until hypercall_shim_close;
                               NULL in every region: no memory operands */
} hypercall_ram_region;

typedef struct hypercall_vm_info {
  const char* name;                /* 1-64 of [A-Za-z0-9._-], unique among live VMs */
  const uint8_t* uuid;             /* 16 bytes, or NULL */
  uint32_t vcpu_count;             /* 1..512 */
  const hypercall_ram_region* ram; /* ram_count regions (at most 64), not overlapping */
  size_t ram_count;
  /* Where the plan may put the vCPUs' PV stolen-time records (64 bytes each):
   * guest-physical memory with a memslot of its own, not described to the
   * guest as RAM. 64-byte aligned, at least 64 * vcpu_count bytes; size 0
   * (as a zero-initialised struct has it): none, and no PV time. */
  uint64_t stolen_time_addr;
  uint64_t stolen_time_size;
} hypercall_vm_info;

typedef struct hypercall_shim_options {
  const char* runtime_dir;    /* the daemon's socket directory; NULL: /run/hypercalld */
  uint32_t call_deadline_ms;  /* longest a guest waits for one call before it gets
                                 NOT_SUPPORTED; default 1000 */
  uint32_t attach_timeout_ms; /* how long connect waits for the daemon; default 5000 */
} hypercall_shim_options;

/* Fills `options` with the defaults. */
void hypercall_shim_options_init(hypercall_shim_options* options);

/* Attaches `vm`; NULL on failure (daemon not running, attach refused, some
 * but not all RAM regions with a host mapping, regions overlapping). */
hypercall_shim* hypercall_shim_connect(const hypercall_vm_info* vm,
                                       const hypercall_shim_options* options, char* err,
                                       size_t err_size);
/* Closes the session. No hypercall_shim_handle_* may be running. NULL is a no-op. */
void hypercall_shim_close(hypercall_shim* shim);

/* One range of the forwarding plan. */
typedef struct hypercall_planned_range {
  uint32_t first_function_id;
  uint32_t count;          /* the range is [first, first + count) */
  uint32_t args_read_mask; /* bit i: the provider reads xi */
} hypercall_planned_range;

size_t hypercall_shim_plan_size(const hypercall_shim* shim);
/* Range `i` (< plan_size) into `out`; -1 when out of range. */
int hypercall_shim_plan_range(const hypercall_shim* shim, size_t i, hypercall_planned_range* out);

/* Probes the KVM SMCCC filter on `vm_fd` and forwards every planned range
 * to userspace. Before any vCPU runs. The filter only: a VMM that can pass
 * its vCPU fds uses hypercall_shim_install_kvm instead. */
int hypercall_shim_install_kvm_filter(const hypercall_shim* shim, int vm_fd, char* err,
                                      size_t err_size);

/* Installs the whole plan in KVM: the SMCCC filter on `vm_fd`, the firmware
 * feature bitmaps (through vcpu_fds[0]) so KVM announces only what the plan
 * offers, and each vCPU's stolen-time record. Call it after every vCPU is
 * created and KVM_ARM_VCPU_INIT-ed and the stolen-time region has its
 * memslot, before the first KVM_RUN. vcpu_fds[i] is vCPU i's fd;
 * vcpu_count must be the VM's. On success, `notes` (when non-NULL) gets the
 * lines, each ending in '\n', saying what KVM could not be told (a firmware
 * register this kernel lacks), for the VMM's log; "" when none; truncated to
 * notes_size. */
int hypercall_shim_install_kvm(const hypercall_shim* shim, int vm_fd, const int* vcpu_fds,
                               size_t vcpu_count, char* notes, size_t notes_size, char* err,
                               size_t err_size);

enum hypercall_disposition {
  HYPERCALL_BROKERED = 0,          /* the daemon answered */
  HYPERCALL_NOT_PLANNED = 1,       /* outside the plan: NOT_SUPPORTED locally */
  HYPERCALL_UNAVAILABLE = 2,       /* no daemon: NOT_SUPPORTED */
  HYPERCALL_DEADLINE_EXCEEDED = 3, /* daemon too slow: NOT_SUPPORTED */
  HYPERCALL_BAD_ADDRESS = 4,       /* a memory operand outside guest RAM: the operand's
                                      bad-address x0 (default INVALID_PARAMETER, -3),
                                      nothing forwarded, guest memory untouched */
  HYPERCALL_MALFORMED_RESULT = 5,  /* the daemon's result broke the memory-operand
                                      rules: NOT_SUPPORTED, guest memory untouched */
};

/* What one call did. */
typedef struct hypercall_call_outcome {
  uint32_t function_id;
  int disposition;       /* enum hypercall_disposition */
  uint64_t x[18];        /* result registers; valid where written_mask has the bit */
  uint32_t written_mask; /* bit i: xi was written (bit 0 always) */
  uint32_t register_reads;
  uint32_t register_writes;
  uint64_t latency_ns;
} hypercall_call_outcome;

/* Answers the call of the KVM vCPU `vcpu_fd` (index `vcpu_index`) stopped on
 * KVM_EXIT_HYPERCALL; `kvm_run` is its mmap-ed struct kvm_run. `out` may be
 * NULL. Fails only when a register ioctl fails or vcpu_index is out of range. */
int hypercall_shim_handle_kvm_exit(hypercall_shim* shim, uint32_t vcpu_index, int vcpu_fd,
                                   const void* kvm_run, hypercall_call_outcome* out, char* err,
                                   size_t err_size);

/* A vCPU the VMM accesses itself (not KVM, or for tests). Callbacks return 0,
 * or a negative errno. */
typedef struct hypercall_vcpu_ops {
  void* context;                                                   /* passed to every callback */
  uint32_t (*function_id)(void* context);                          /* w0 as issued */
  int (*is_smc)(void* context);                                    /* 1: SMC, 0: HVC */
  int (*read_register)(void* context, int index, uint64_t* value); /* x0..x17 */
  int (*write_register)(void* context, int index, uint64_t value);
} hypercall_vcpu_ops;

/* As hypercall_shim_handle_kvm_exit, with the vCPU accessed through `ops`. */
int hypercall_shim_handle_call(hypercall_shim* shim, uint32_t vcpu_index,
                               const hypercall_vcpu_ops* ops, hypercall_call_outcome* out,
                               char* err, size_t err_size);

/* Totals of one vCPU since connect. */
typedef struct hypercall_vcpu_stats {
  uint64_t calls;
  uint64_t brokered;
  uint64_t not_planned;
  uint64_t unavailable;
  uint64_t deadline_exceeded;
  uint64_t register_reads;
  uint64_t register_writes;
  uint64_t bad_address;
  uint64_t malformed_result;
} hypercall_vcpu_stats;

/* Totals of vCPU `vcpu_index` into `out` (zeros for an index outside the VM). */
void hypercall_shim_vcpu_stats(const hypercall_shim* shim, uint32_t vcpu_index,
                               hypercall_vcpu_stats* out);

/* 1 while attached to the daemon, else 0. */
int hypercall_shim_connected(const hypercall_shim* shim);

#ifdef __cplusplus
}
#endif

#endif /* HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_H_ */
