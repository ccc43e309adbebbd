// A VM's forwarding plan as the shim keeps it: the function-ID ranges
// installed in KVM's SMCCC filter and, per range, the argument registers its
// provider reads and the guest buffers its calls pass by address. Built once from the daemon's
// Attached.plan (validated there) and then only looked up, from every vCPU thread at once.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/v1/vmm.pb.h"
#include "smccc/call.h"
#include "smccc/memory_operand.h"

namespace hypercall::shim {

struct PlannedRange {
  // First function ID of the range, as the guest issues it.
  uint32_t first = 0;
  // Number of IDs: the range is [first, first + count).
  uint32_t count = 0;
  // Bit i set (1..17): the provider reads xi, so the shim reads it.
  smccc::RegisterMask args_read_mask = 0;
  // Provider serving the range, for logs.
  std::string provider;
  // Buffers in guest RAM that calls in the range pass by address, in the
  // daemon's order (MemoryBuffer::operand indexes this list). They satisfy
  // smccc::CheckMemoryOperands(memory, args_read_mask).
  std::vector<smccc::MemoryOperand> memory;

  bool Contains(uint32_t fid) const { return fid >= first && fid - first < count; }
  bool operator==(const PlannedRange&) const = default;
};

class ForwardingPlan {
 public:
  ForwardingPlan() = default;

  // InvalidArgument naming the range when the daemon's plan has an empty or
  // wrapping range, ranges out of order or overlapping, an args_read_mask
  // outside x1..x17, or memory operands that break the rules (see
  // smccc::CheckMemoryOperands).
  static absl::StatusOr<ForwardingPlan> FromProto(const v1::ForwardingPlan& plan);

  // The range that routes `fid`, or nullptr. The SVE hint bit is stripped
  // first, as the daemon's router does. Thread-safe (const).
  const PlannedRange* Find(uint32_t fid) const;

  // The argument registers to read from the guest for `fid`: its range's
  // mask, cut to w1..w7 for SMC32/HVC32 IDs (their other registers are not
  // the callee's to read). 0 when `fid` is not planned.
  smccc::RegisterMask ArgsToRead(uint32_t fid) const;

  const std::vector<PlannedRange>& ranges() const { return ranges_; }
  bool operator==(const ForwardingPlan&) const = default;

  // "0x84000050+16 (trng, reads mask 0x2), 0xc3000003+1 (probe, reads mask
  // 0x6, memory x1 -> 64 bytes in; x2 -> 64 bytes out), ..." for logs.
  std::string Describe() const;

 private:
  // Sorted by first, non-overlapping.
  std::vector<PlannedRange> ranges_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_
