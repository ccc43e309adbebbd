#include "core/trace_redaction.h"

#include <algorithm>

namespace hypercall::core {
namespace {

void ZeroPastX0(std::array<uint64_t, smccc::kNumRegisters>& x) {
  std::fill(x.begin() + 1, x.end(), 0);
}

void ZeroAddresses(std::vector<smccc::MemoryBuffer>& buffers) {
  for (smccc::MemoryBuffer& buffer : buffers) buffer.guest_phys_addr = 0;
}

}  // namespace

void WithholdSecretResults(TraceRecord& record) {
  ZeroPastX0(record.result.x);
  record.results_secret = true;
}

void WithholdRegisters(TraceRecord& record) {
  // x[0] of a call is unused (the function ID is its own field); zero it too.
  record.call.x.fill(0);
  ZeroPastX0(record.result.x);
  ZeroAddresses(record.call.memory);
  ZeroAddresses(record.result.memory);
  record.registers_withheld = true;
}

}  // namespace hypercall::core
