// A vCPU made of plain memory: x0..x17 and a conduit. It stands in for a KVM
// vCPU in tests, the demo VM and the benchmark, with the same register-access
// accounting, so a test can check exactly which registers a call touched.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SIMULATED_VCPU_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SIMULATED_VCPU_H_

#include <array>
#include <cstdint>
#include <initializer_list>

#include "hypercall/shim/vcpu_backend.h"
#include "smccc/call.h"

namespace hypercall::shim {

class SimulatedVcpu : public VcpuBackend {
 public:
  SimulatedVcpu() = default;

  // What a guest does before HVC/SMC: x0 = `function_id`, x1.. = `args`.
  // Registers past the arguments keep their values, as in a real guest. Not
  // counted as register accesses. REQUIRES: at most 17 arguments (more throws
  // std::out_of_range).
  void Issue(uint32_t function_id, std::initializer_list<uint64_t> args = {},
             smccc::Conduit conduit = smccc::Conduit::kHvc);

  // The guest's view of xi after the call; not counted.
  uint64_t x(int i) const { return regs_.at(i); }
  // Sets xi as the guest would; not counted.
  void set_x(int i, uint64_t value) { regs_.at(i) = value; }

  // w0: the low 32 bits of x0, as KVM reports the function ID.
  uint32_t FunctionId() const override { return static_cast<uint32_t>(regs_[0]); }
  smccc::Conduit conduit() const override { return conduit_; }

 protected:
  absl::StatusOr<uint64_t> DoReadRegister(int index) override { return regs_[index]; }
  absl::Status DoWriteRegister(int index, uint64_t value) override;

 private:
  std::array<uint64_t, smccc::kNumRegisters> regs_{};
  smccc::Conduit conduit_ = smccc::Conduit::kHvc;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SIMULATED_VCPU_H_
