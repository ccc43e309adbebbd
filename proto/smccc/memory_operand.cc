#include "smccc/memory_operand.h"

#include "absl/strings/str_format.h"
#include "smccc/function_id.h"
#include "smccc/return_codes.h"

namespace hypercall::smccc {

const char* MemoryDirectionName(MemoryDirection direction) {
  switch (direction) {
    case MemoryDirection::kIn:
      return "in";
    case MemoryDirection::kOut:
      return "out";
    case MemoryDirection::kInOut:
      return "inout";
  }
  return "?";
}

MemoryOperand MemoryOperand::At(int address_register, uint32_t length, MemoryDirection direction) {
  MemoryOperand op;
  op.address_register = address_register;
  op.length = length;
  op.direction = direction;
  return op;
}

RegisterMask MemoryOperand::RegistersRead() const {
  RegisterMask mask = RegisterMask{1} << address_register;
  if (when_mask != 0 && when_register != 0) mask |= RegisterMask{1} << when_register;
  return mask;
}

bool MemoryOperand::AppliesTo(const Call& call) const {
  if (!IsSmc64(call.function_id) && address_register >= kNumSmc32Registers) return false;
  const uint64_t subject = when_register == 0 ? RoutingId(call.function_id) : call.x[when_register];
  return (subject & when_mask) == when_value;
}

uint64_t MemoryOperand::BadAddressResult() const {
  return bad_address_x0.value_or(static_cast<uint64_t>(kInvalidParameter));
}

std::string MemoryOperand::Describe() const {
  std::string out = absl::StrFormat("x%d -> %u bytes %s", address_register, length,
                                    MemoryDirectionName(direction));
  if (when_mask != 0) {
    absl::StrAppendFormat(&out, ", when (x%d & 0x%x) == 0x%x", when_register, when_mask,
                          when_value);
  }
  return out;
}

absl::Status CheckMemoryOperands(const std::vector<MemoryOperand>& operands,
                                 RegisterMask args_read_mask) {
  if (operands.size() > kMaxMemoryOperandsPerRange) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%d memory operands; a range may have at most %d", operands.size(),
                        kMaxMemoryOperandsPerRange));
  }
  uint64_t total = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    const MemoryOperand& op = operands[i];
    if (op.address_register < 1 || op.address_register > kMaxArgRegister) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d: address_register %d is not an argument register (1..17)", i,
          op.address_register));
    }
    if (op.when_register < 0 || op.when_register > kMaxArgRegister) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d: when_register %d is not a register (0..17; 0 is the function ID)", i,
          op.when_register));
    }
    if (op.length == 0 || op.length > kMaxMemoryOperandBytes) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d: length %u is outside 1..%u", i, op.length, kMaxMemoryOperandBytes));
    }
    total += op.length;
    if (total > kMaxMemoryBytesPerRange) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operands 0..%d take %u bytes together; a range may pass at most %u", i, total,
          kMaxMemoryBytesPerRange));
    }
    if ((op.when_value & ~op.when_mask) != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d: when_value 0x%x has bits outside when_mask 0x%x, so it never "
          "applies",
          i, op.when_value, op.when_mask));
    }
    if ((op.RegistersRead() & ~args_read_mask) != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d (%s) needs registers (mask 0x%x) that the range does not read "
          "(args_read_mask 0x%x)",
          i, op.Describe(), op.RegistersRead(), args_read_mask));
    }
  }
  return absl::OkStatus();
}

std::string DescribeMemoryOperands(const std::vector<MemoryOperand>& operands) {
  if (operands.empty()) return "none";
  std::string out;
  for (const MemoryOperand& op : operands) {
    if (!out.empty()) out += "; ";
    out += op.Describe();
  }
  return out;
}

absl::Status CheckResultMemory(const Call& call, Result& result) {
  uint32_t seen = 0;  // Bit i: call.memory[i] already answered.
  for (MemoryBuffer& out : result.memory) {
    const MemoryBuffer* in = nullptr;
    size_t index = 0;
    for (; index < call.memory.size(); ++index) {
      if (call.memory[index].operand == out.operand) {
        in = &call.memory[index];
        break;
      }
    }
    if (in == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "result writes memory operand %d, which the call did not pass", out.operand));
    }
    if (!ProviderWrites(in->direction)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "result writes memory operand %d, which is an 'in' operand", out.operand));
    }
    if ((seen >> index) & 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("result writes memory operand %d twice", out.operand));
    }
    seen |= uint32_t{1} << index;
    if (out.data.size() > in->length) {
      return absl::InvalidArgumentError(
          absl::StrFormat("result writes %u bytes to memory operand %d, which has %u",
                          out.data.size(), out.operand, in->length));
    }
    out.guest_phys_addr = in->guest_phys_addr;
    out.length = in->length;
    out.direction = in->direction;
  }
  return absl::OkStatus();
}

}  // namespace hypercall::smccc
