#include "providers/probe/probe_provider.h"

#include <algorithm>

#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr smccc::RegisterMask kReadsX1 = 1u << 1;
constexpr smccc::RegisterMask kReadsX1X2 = (1u << 1) | (1u << 2);
// x1..x7: every argument an SMC32 call has.
constexpr smccc::RegisterMask kSmc32Args = ((1u << smccc::kNumSmc32Registers) - 1) & ~1u;

static_assert(sizeof(kProbeMemWhenText) == kProbeMemWhenBytes);

std::vector<smccc::MemoryOperand> MemReverseOperands() {
  return {smccc::MemoryOperand::At(1, kProbeMemBytes, smccc::MemoryDirection::kIn),
          smccc::MemoryOperand::At(2, kProbeMemBytes, smccc::MemoryDirection::kOut)};
}

std::vector<smccc::MemoryOperand> MemXorOperands() {
  return {smccc::MemoryOperand::At(1, kProbeMemBytes, smccc::MemoryDirection::kInOut)};
}

std::vector<smccc::MemoryOperand> MemWhenOperands() {
  smccc::MemoryOperand op =
      smccc::MemoryOperand::At(2, kProbeMemWhenBytes, smccc::MemoryDirection::kOut);
  op.when_register = 1;
  op.when_mask = 1;
  op.when_value = 0;
  op.bad_address_x0 = kProbeMemWhenBadAddress;
  return {op};
}

// The call's buffer for operand `operand`, or null when it has none.
const smccc::MemoryBuffer* Buffer(const smccc::Call& call, int operand) {
  for (const smccc::MemoryBuffer& buffer : call.memory) {
    if (buffer.operand == operand) return &buffer;
  }
  return nullptr;
}

smccc::Result EchoAll(const smccc::Call& call) {
  smccc::Result result;
  for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
    result.Set(i, call.x[i] + static_cast<uint64_t>(i) * kProbeEchoStep);
  }
  return result;
}

smccc::Result WriteSome(const smccc::Call& call) {
  smccc::Result result;
  for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
    if ((call.x[1] >> i) & 1) result.Set(i, ~static_cast<uint64_t>(i));
  }
  return result;
}

smccc::Result Who(const provider::CallContext& context, const smccc::Call& call) {
  smccc::Result result;
  result.Set(1, context.vcpu);
  result.Set(2, call.x[1] + 1);
  return result;
}

smccc::Result MemReverse(const smccc::Call& call) {
  const smccc::MemoryBuffer* in = Buffer(call, 0);
  const smccc::MemoryBuffer* out = Buffer(call, 1);
  if (in == nullptr || out == nullptr) return smccc::Result::Code(smccc::kNotSupported);
  smccc::Result result;
  uint64_t sum = 0;
  for (char byte : in->data) sum += static_cast<uint8_t>(byte);
  result.Set(1, sum);
  result.memory.push_back({.operand = 1, .data = std::string(in->data.rbegin(), in->data.rend())});
  return result;
}

smccc::Result MemXor(const smccc::Call& call) {
  const smccc::MemoryBuffer* buffer = Buffer(call, 0);
  if (buffer == nullptr) return smccc::Result::Code(smccc::kNotSupported);
  smccc::Result result;
  result.Set(1, std::count_if(buffer->data.begin(), buffer->data.end(),
                              [](char byte) { return byte != 0; }));
  std::string data = buffer->data;
  for (char& byte : data) byte = static_cast<char>(byte ^ static_cast<char>(call.x[2] & 0xff));
  result.memory.push_back({.operand = 0, .data = std::move(data)});
  return result;
}

smccc::Result MemWhen(const smccc::Call& call) {
  smccc::Result result;
  if ((call.x[1] & 1) != 0) {
    result.Set(1, 0);
    return result;
  }
  if (Buffer(call, 0) == nullptr) return smccc::Result::Code(smccc::kNotSupported);
  result.Set(1, kProbeMemWhenBytes);
  result.memory.push_back(
      {.operand = 0, .data = std::string(kProbeMemWhenText, sizeof(kProbeMemWhenText))});
  return result;
}

}  // namespace

std::vector<provider::RangeClaim> ProbeProvider::Claims() const {
  std::vector<provider::RangeClaim> claims;
  for (const auto& [range, echo_reads] : {std::pair{kProbeSmc32Range, kSmc32Args},
                                          std::pair{kProbeSmc64Range, smccc::kAllArgRegisters}}) {
    const uint32_t base = range.first;
    claims.push_back({{base + kProbeEchoAll, base + kProbeEchoAll}, echo_reads, {}});
    claims.push_back({{base + kProbeWriteSome, base + kProbeWho}, kReadsX1, {}});
    claims.push_back(
        {{base + kProbeMemReverse, base + kProbeMemReverse}, kReadsX1X2, MemReverseOperands()});
    claims.push_back({{base + kProbeMemXor, base + kProbeMemXor}, kReadsX1X2, MemXorOperands()});
    claims.push_back({{base + kProbeMemWhen, base + kProbeMemWhen}, kReadsX1X2, MemWhenOperands()});
    claims.push_back({{base + kProbeMemWhen + 1, range.last}, kReadsX1, {}});
  }
  return claims;
}

void ProbeProvider::Handle(const provider::CallContext& context, const smccc::Call& call,
                           provider::Completion& done) {
  switch (smccc::FunctionNumber(smccc::RoutingId(call.function_id))) {
    case kProbeEchoAll:
      done.Complete(EchoAll(call));
      return;
    case kProbeWriteSome:
      done.Complete(WriteSome(call));
      return;
    case kProbeWho:
      done.Complete(Who(context, call));
      return;
    case kProbeMemReverse:
      done.Complete(MemReverse(call));
      return;
    case kProbeMemXor:
      done.Complete(MemXor(call));
      return;
    case kProbeMemWhen:
      done.Complete(MemWhen(call));
      return;
    default:
      done.Complete(smccc::Result::Code(smccc::kNotSupported));
      return;
  }
}

}  // namespace hypercall::providers
