#include "hypercall/shim/simulated_vcpu.h"

namespace hypercall::shim {

void SimulatedVcpu::Issue(uint32_t function_id, std::initializer_list<uint64_t> args,
                          smccc::Conduit conduit) {
  regs_[0] = function_id;
  int i = 1;
  // at(): more than 17 arguments is a bug in the caller, not a guest's doing.
  for (uint64_t arg : args) regs_.at(i++) = arg;
  conduit_ = conduit;
}

absl::Status SimulatedVcpu::DoWriteRegister(int index, uint64_t value) {
  regs_[index] = value;
  return absl::OkStatus();
}

}  // namespace hypercall::shim
