// The plan the call-assembly and vCPU-port tests share: an SMC32 range
// reading w1 and w2, and an SMC64 call passing a buffer in and one out, over
// a small guest RAM region of the test's own.
#ifndef HYPERCALL_TESTS_VMM_SHIM_CALL_TEST_PLAN_H_
#define HYPERCALL_TESTS_VMM_SHIM_CALL_TEST_PLAN_H_

#include <cstdint>
#include <vector>

#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/v1/vmm.pb.h"

namespace hypercall::shim::testing {

// 0x84000050+16, reading x1 and x2.
inline constexpr uint32_t kSmc32Call = 0x84000051;
// 0xc3000003: x1 -> 8 bytes in, x2 -> 4 bytes out, reading x1 and x2.
inline constexpr uint32_t kMemoryCall = 0xc3000003;
inline constexpr uint64_t kRamBase = 0x1000;
inline constexpr uint64_t kRamSize = 0x100;

inline ForwardingPlan CallTestPlan() {
  v1::ForwardingPlan proto;
  v1::PlannedRange* smc32 = proto.add_ranges();
  smc32->set_first_function_id(0x84000050);
  smc32->set_count(16);
  smc32->set_args_read_mask(0x6);
  smc32->set_provider("smc32");
  v1::PlannedRange* memory = proto.add_ranges();
  memory->set_first_function_id(kMemoryCall);
  memory->set_count(1);
  memory->set_args_read_mask(0x6);
  memory->set_provider("memory");
  v1::MemoryOperand* in = memory->add_memory();
  in->set_address_register(1);
  in->set_length(8);
  in->set_direction(v1::MemoryOperand::IN);
  v1::MemoryOperand* out = memory->add_memory();
  out->set_address_register(2);
  out->set_length(4);
  out->set_direction(v1::MemoryOperand::OUT);
  return *ForwardingPlan::FromProto(proto);
}

// kRamSize bytes of guest RAM at kRamBase, backed by `ram`.
inline MappedGuestMemory TestRam(std::vector<uint8_t>& ram) {
  ram.assign(kRamSize, 0);
  return *MappedGuestMemory::Create({{kRamBase, kRamSize, ram.data()}});
}

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_CALL_TEST_PLAN_H_
