// Forwarding plans for the KVM installer tests: ranges by first ID and count
// (reading x1), and optional stolen-time records.
#ifndef HYPERCALL_TESTS_VMM_SHIM_TEST_PLANS_H_
#define HYPERCALL_TESTS_VMM_SHIM_TEST_PLANS_H_

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/v1/vmm.pb.h"

namespace hypercall::shim::testing {

// REQUIRES: `ranges` sorted and disjoint, `records` 64-byte aligned.
inline ForwardingPlan PlanOf(std::initializer_list<std::pair<uint32_t, uint32_t>> ranges,
                             const std::vector<uint64_t>& records = {}) {
  v1::ForwardingPlan proto;
  for (const auto& [first, count] : ranges) {
    v1::PlannedRange* r = proto.add_ranges();
    r->set_first_function_id(first);
    r->set_count(count);
    r->set_args_read_mask(0x2);
  }
  for (uint64_t record : records) proto.add_stolen_time_records(record);
  return *ForwardingPlan::FromProto(proto);
}

// Ranges as the daemon's providers claim them.
inline constexpr std::pair<uint32_t, uint32_t> kTrng = {0x84000050, 16};
inline constexpr std::pair<uint32_t, uint32_t> kCallUid = {0x8600ff01, 1};
inline constexpr std::pair<uint32_t, uint32_t> kPvTime = {0xc5000020, 2};
inline constexpr std::pair<uint32_t, uint32_t> kDiscoverImpl = {0xc6000040, 2};
inline constexpr std::pair<uint32_t, uint32_t> kDiscoverImplVer = {0xc6000040, 1};

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_TEST_PLANS_H_
