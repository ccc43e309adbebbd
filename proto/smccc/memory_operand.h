// Guest memory operands as plain values: a buffer in guest RAM that calls in
// a range pass by guest-physical address, declared per range, and the checks
// on them. The bytes themselves travel as smccc::MemoryBuffer (call.h). The
// wire form is v1::MemoryOperand (common.proto).
#ifndef HYPERCALL_PROTO_SMCCC_MEMORY_OPERAND_H_
#define HYPERCALL_PROTO_SMCCC_MEMORY_OPERAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "smccc/call.h"
#include "smccc/memory_buffer.h"

namespace hypercall::smccc {

// Hard caps, whatever a config or a provider asks for. The bytes of one
// range's operands together stay well inside a 64 KiB message.
inline constexpr int kMaxMemoryOperandsPerRange = 4;
inline constexpr uint32_t kMaxMemoryBytesPerRange = 32768;

struct MemoryOperand {
  // The argument register (1..17) holding the buffer's guest-physical address.
  int address_register = 1;
  // Bytes from that address, 1..kMaxMemoryOperandBytes.
  uint32_t length = 0;
  MemoryDirection direction = MemoryDirection::kIn;
  // Applies only when (x[when_register] & when_mask) == when_value; x0 is the
  // function ID with the SVE hint cleared. when_mask 0: always.
  int when_register = 0;
  uint64_t when_mask = 0;
  uint64_t when_value = 0;
  // x0 for a call whose buffer is not wholly in guest RAM; unset:
  // INVALID_PARAMETER.
  std::optional<uint64_t> bad_address_x0;

  // `length` bytes at the address in x`address_register`, passed by every
  // call of the range (set the when_* fields for a condition).
  static MemoryOperand At(int address_register, uint32_t length, MemoryDirection direction);

  // The registers the VMM must read to use this operand: the address
  // register, and when_register when it is not x0 and when_mask is not 0.
  RegisterMask RegistersRead() const;
  // True when this operand is passed by `call` (whose arguments have their
  // calling convention applied): the condition holds and, for SMC32/HVC32
  // IDs, the address register is one of w1..w7.
  bool AppliesTo(const Call& call) const;
  // x0 to answer when the buffer is outside guest RAM.
  uint64_t BadAddressResult() const;
  // "x2 -> 4096 bytes in, when (x1 & 0x10000) == 0x0" for logs and messages.
  std::string Describe() const;

  bool operator==(const MemoryOperand&) const = default;
};

// InvalidArgument saying what to fix when an operand list breaks the rules:
// at most kMaxMemoryOperandsPerRange; registers 1..17 (when_register 0..17);
// length 1..kMaxMemoryOperandBytes, all lengths together at most
// kMaxMemoryBytesPerRange; RegistersRead() inside args_read_mask.
absl::Status CheckMemoryOperands(const std::vector<MemoryOperand>& operands,
                                 RegisterMask args_read_mask);

// "x2 -> 4096 bytes in; x3 -> 4096 bytes out" or "none".
std::string DescribeMemoryOperands(const std::vector<MemoryOperand>& operands);

// Checks `result.memory` against the call it answers: each entry names an
// OUT or INOUT buffer of `call.memory`, at most once, with at most its
// length of data. InvalidArgument saying which rule broke; on success the
// entries' address, length and direction are filled in from the call.
absl::Status CheckResultMemory(const Call& call, Result& result);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_MEMORY_OPERAND_H_
