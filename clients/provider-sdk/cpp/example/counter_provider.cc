#include "counter_provider.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

namespace hypercall::provider::example {

std::vector<RangeClaim> CounterProvider::Claims() const {
  return {{{kCounterBase, kCounterLast}, kCounterReads}};
}

smccc::Result CounterProvider::Answer(const CallContext& context, const smccc::Call& call) {
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  switch (smccc::RoutingId(call.function_id)) {
    case kEcho:
      for (int i = 1; i <= 3; ++i) result.Set(i, call.x[i]);
      break;
    case kAdd:
      result.Set(1, counter_.fetch_add(call.x[1]) + call.x[1]);
      break;
    case kSleep:
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<uint64_t>(call.x[1], 60000)));
      result.Set(1, call.x[1]);
      break;
    case kWho:
      result.Set(1, context.vcpu);
      result.Set(2, static_cast<uint64_t>(getpid()));
      result.Set(3, counter_.load());
      break;
    default:
      return smccc::Result::Code(smccc::kNotSupported);
  }
  return result;
}

}  // namespace hypercall::provider::example
