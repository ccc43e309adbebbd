// The bytes of one guest memory operand in one call or result: what the VMM
// copied out of guest RAM for a provider, or what a provider asks the VMM to
// write back. Providers never get a mapping of guest memory, only these.
#ifndef HYPERCALL_PROTO_SMCCC_MEMORY_BUFFER_H_
#define HYPERCALL_PROTO_SMCCC_MEMORY_BUFFER_H_

#include <cstdint>
#include <string>

namespace hypercall::smccc {

// The largest buffer one operand may pass.
inline constexpr uint32_t kMaxMemoryOperandBytes = 16384;

enum class MemoryDirection : uint8_t { kIn, kOut, kInOut };

// "in", "out", "inout".
const char* MemoryDirectionName(MemoryDirection direction);
inline bool ProviderReads(MemoryDirection d) { return d != MemoryDirection::kOut; }
inline bool ProviderWrites(MemoryDirection d) { return d != MemoryDirection::kIn; }

// The bytes of one operand in one call or result.
struct MemoryBuffer {
  // Index of the operand in its range's list.
  int operand = 0;
  // Where the buffer is in guest RAM.
  uint64_t guest_phys_addr = 0;
  // The operand's declared length and direction.
  uint32_t length = 0;
  MemoryDirection direction = MemoryDirection::kIn;
  // In a call: the guest's bytes (IN/INOUT; empty for OUT). In a result: the
  // bytes to write back from guest_phys_addr on, at most `length`.
  std::string data;

  bool operator==(const MemoryBuffer&) const = default;
};

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_MEMORY_BUFFER_H_
