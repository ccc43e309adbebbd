// The example provider: a small OEM service that shows every part of a
// provider and is easy to check from a guest or a test. It owns the fast
// SMC64 OEM calls 0xC3000100-0xC300010F (clear of the built-in probe's
// 0xC3000000-0xC300000F):
//   +0 ECHO     x1..x3 = arg1..arg3
//   +1 ADD      adds arg1 to a counter shared by all callers; x1 = the new total
//   +2 SLEEP    sleeps arg1 ms (at most 60 s), then x1 = arg1: a call that
//               stays in flight, for deadline and crash tests
//   +3 WHO      x1 = calling vCPU, x2 = this process's pid, x3 = the counter
//   +4 UPPER    guest memory: operand [0] x1 -> 64 bytes in, [1] x2 -> 64
//               bytes out; writes the input with ASCII a-z upper-cased to the
//               out buffer, x1 = the number of bytes changed
// Others in the range: NOT_SUPPORTED. x0 = SUCCESS otherwise.
// It claims three ranges so the VMM reads no more than each call needs:
// +0..+3 and +5..+15 read x1..x3; +4 reads x1 and x2, with UPPER's two
// operands. A config naming it lists the same three ranges with the same
// operands (the daemon grants a claim only then).
#ifndef HYPERCALL_PROVIDER_EXAMPLE_COUNTER_PROVIDER_H_
#define HYPERCALL_PROVIDER_EXAMPLE_COUNTER_PROVIDER_H_

#include <atomic>
#include <string>

#include "hypercall/provider/provider.h"

namespace hypercall::provider::example {

inline constexpr uint32_t kCounterBase = 0xC3000100;
inline constexpr uint32_t kEcho = kCounterBase + 0;
inline constexpr uint32_t kAdd = kCounterBase + 1;
inline constexpr uint32_t kSleep = kCounterBase + 2;
inline constexpr uint32_t kWho = kCounterBase + 3;
inline constexpr uint32_t kUpper = kCounterBase + 4;
inline constexpr uint32_t kCounterLast = kCounterBase + 0xF;
// x1..x3.
inline constexpr smccc::RegisterMask kCounterReads = 0xE;
// UPPER: x1 and x2, the addresses of its buffers.
inline constexpr smccc::RegisterMask kUpperReads = 0x6;
inline constexpr uint32_t kUpperBytes = 64;

class CounterProvider final : public SyncProvider {
 public:
  explicit CounterProvider(std::string name) : name_(std::move(name)) {}

  std::string_view name() const override { return name_; }
  std::vector<RangeClaim> Claims() const override;
  smccc::Result Answer(const CallContext& context, const smccc::Call& call) override;

 private:
  const std::string name_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace hypercall::provider::example

#endif  // HYPERCALL_PROVIDER_EXAMPLE_COUNTER_PROVIDER_H_
