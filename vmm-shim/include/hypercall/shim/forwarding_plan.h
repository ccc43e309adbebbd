// A VM's forwarding plan as the shim keeps it: the function-ID ranges
// installed in KVM's SMCCC filter and, per range, the argument registers its
// provider reads and the guest buffers its calls pass by address; and where
// each vCPU's PV stolen-time record goes. Built once from the daemon's
// Attached.plan (validated there) and then only looked up, from every vCPU thread at once.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "smccc/call.h"
#include "smccc/memory_operand.h"

// The daemon's plan on the wire (hypercall/v1/vmm.proto), only declared: a
// VMM that includes the shim's headers needs no generated protobuf header.
namespace hypercall::v1 {
class ForwardingPlan;
}  // namespace hypercall::v1

namespace hypercall::shim {

// Size and alignment of one vCPU's PV stolen-time record (DEN0057).
inline constexpr uint64_t kStolenTimeRecordSize = 64;

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

  // InvalidArgument naming the range ("plan range 1: ...") when the
  // daemon's plan has an empty or wrapping range (wire::RangeFromProto), a
  // range that breaks smccc::CheckClaim's rules (reserved, an args_read_mask
  // outside x1..x17, memory operands), or ranges out of order or
  // overlapping (smccc::CheckNoOverlap); naming the vCPU for a stolen-time record
  // that is not 64-byte aligned. (Whether there is one per vCPU, inside the
  // VM's region, only Shim::Connect knows: it checks that.) The shim's
  // transport calls this; callers include hypercall/v1/vmm.pb.h themselves.
  static absl::StatusOr<ForwardingPlan> FromProto(const v1::ForwardingPlan& plan);

  // The range that routes `fid`, or nullptr. The SVE hint bit is stripped
  // first, as the daemon's router does. Thread-safe (const).
  const PlannedRange* Find(uint32_t fid) const;

  // The argument registers to read from the guest for `fid`: its range's
  // mask, cut to w1..w7 for SMC32/HVC32 IDs (their other registers are not
  // the callee's to read). 0 when `fid` is not planned.
  smccc::RegisterMask ArgsToRead(uint32_t fid) const;

  const std::vector<PlannedRange>& ranges() const { return ranges_; }
  // The guest-physical address of vCPU i's stolen-time record (DEN0057), to
  // hand to KVM (KvmStolenTime); empty when the plan does not forward PV time
  // or the VM has no stolen-time region. Each 64-byte aligned.
  const std::vector<uint64_t>& stolen_time_records() const { return stolen_time_records_; }
  // True when `fid` is in a planned range (forwarded to the daemon).
  bool Forwards(uint32_t fid) const { return Find(fid) != nullptr; }
  bool operator==(const ForwardingPlan&) const = default;

  // "0x84000050+16 (trng, reads mask 0x2), 0xc3000003+1 (probe, reads mask
  // 0x6, memory x1 -> 64 bytes in; x2 -> 64 bytes out), ..." for logs, then
  // "; stolen-time records for 4 vCPUs, vCPU 0's at 0x90a0000" when there are any.
  std::string Describe() const;

 private:
  // Sorted by first, non-overlapping.
  std::vector<PlannedRange> ranges_;
  std::vector<uint64_t> stolen_time_records_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_FORWARDING_PLAN_H_
