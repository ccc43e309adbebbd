#include "counter_provider.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

namespace hypercall::provider::example {
namespace {

const smccc::MemoryBuffer* FindBuffer(const smccc::Call& call, int operand) {
  for (const smccc::MemoryBuffer& buffer : call.memory) {
    if (buffer.operand == operand) return &buffer;
  }
  return nullptr;
}

// UPPER: the input (operand 0) with a-z upper-cased, to operand 1.
smccc::Result Upper(const smccc::Call& call) {
  const smccc::MemoryBuffer* in = FindBuffer(call, 0);
  if (in == nullptr || FindBuffer(call, 1) == nullptr) {
    return smccc::Result::Code(smccc::kInvalidParameter);
  }
  smccc::MemoryBuffer out;
  out.operand = 1;
  out.data = in->data;
  uint64_t changed = 0;
  for (char& c : out.data) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
      ++changed;
    }
  }
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(1, changed);
  result.memory.push_back(std::move(out));
  return result;
}

}  // namespace

std::vector<RangeClaim> CounterProvider::Claims() const {
  return {{{kCounterBase, kWho}, kCounterReads, {}},
          {{kUpper, kUpper},
           kUpperReads,
           {smccc::MemoryOperand::At(1, kUpperBytes, smccc::MemoryDirection::kIn),
            smccc::MemoryOperand::At(2, kUpperBytes, smccc::MemoryDirection::kOut)}},
          {{kUpper + 1, kCounterLast}, kCounterReads, {}}};
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
    case kUpper:
      return Upper(call);
    default:
      return smccc::Result::Code(smccc::kNotSupported);
  }
  return result;
}

}  // namespace hypercall::provider::example
