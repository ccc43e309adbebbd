// The calls the demo VM makes, in a fixed rotation, and what a right answer
// to each looks like, so the demo can say when the broker got one wrong.
#ifndef HYPERCALL_VMM_SHIM_DEMO_CALL_MIX_H_
#define HYPERCALL_VMM_SHIM_DEMO_CALL_MIX_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "hypercall/shim/call_outcome.h"
#include "hypercall/shim/simulated_vcpu.h"

namespace hypercall::demo {

struct DemoCall {
  // For messages: "TRNG_RND64".
  const char* name;
  uint32_t function_id;
  // x1 (the only argument any of these take); 0 when unused.
  uint64_t x1;
  smccc::Conduit conduit;
};

// TRNG VERSION, FEATURES(RND64), GET_UUID, RND32(96 bits), RND64(192 bits),
// and 0xC2000001, an SiP ID nobody owns.
const std::array<DemoCall, 6>& CallMix();

// Judges answers. Remembers the first UUID it sees, to check GET_UUID is
// stable. Not thread-safe: one per vCPU.
class ResultChecker {
 public:
  // nullopt when `vcpu` holds a right answer to `call` (NOT_SUPPORTED from an
  // absent daemon counts as right); otherwise what is wrong.
  std::optional<std::string> Check(const DemoCall& call, const shim::CallOutcome& outcome,
                                   const shim::SimulatedVcpu& vcpu);

 private:
  std::optional<std::array<uint64_t, 4>> uuid_;
};

}  // namespace hypercall::demo

#endif  // HYPERCALL_VMM_SHIM_DEMO_CALL_MIX_H_
