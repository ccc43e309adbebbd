// Per-function statistics of the calls a VM's vCPUs handed to the shim, for
// `hypercall-vmm --stats`: calls, who answered them, register accesses
// (KVM ONE_REG ioctls) per call, mean and median latency. Each vCPU thread
// keeps its own CallStats (no locking on the call path); they are merged at
// exit.
#ifndef HYPERCALL_VMM_SHIM_VMM_CALL_STATS_H_
#define HYPERCALL_VMM_SHIM_VMM_CALL_STATS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hypercall/shim/call_outcome.h"

namespace hypercall::vmm {

class CallStats {
 public:
  struct Function {
    uint64_t calls = 0;
    // Indexed by shim::Disposition.
    std::array<uint64_t, shim::kNumDispositions> dispositions{};
    uint64_t register_reads = 0;
    uint64_t register_writes = 0;
    std::vector<int64_t> latencies_ns;
  };

  void Record(const shim::CallOutcome& outcome);
  void Merge(const CallStats& other);

  uint64_t total_calls() const;
  // By function ID as the guest issued it.
  const std::map<uint32_t, Function>& functions() const { return functions_; }

  // The table, one line per function ID plus a header and a total line;
  // "no hypercalls" when there were none. Its 11 columns are stable (the KVM
  // suite reads them); calls answered for their memory operands
  // (bad-address, malformed-result) follow on one line of their own, only
  // when there were any.
  std::string FormatTable() const;

 private:
  std::map<uint32_t, Function> functions_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_CALL_STATS_H_
