// One SMCCC call and its result as plain values: what the router, providers,
// the shim and the CLI pass around, free of gRPC and protobuf.
#ifndef HYPERCALL_PROTO_SMCCC_CALL_H_
#define HYPERCALL_PROTO_SMCCC_CALL_H_

#include <array>
#include <cstdint>
#include <vector>

#include "smccc/memory_buffer.h"

namespace hypercall::smccc {

// x0..x17: SMCCC v1.2 passes arguments in x1-x17 and results in x0-x17.
inline constexpr int kNumRegisters = 18;
inline constexpr int kMaxArgRegister = 17;
// The registers an SMC32/HVC32 call may use (w0-w7).
inline constexpr int kNumSmc32Registers = 8;

enum class Conduit : uint8_t { kHvc, kSmc };

// A mask with bit i set for each register xi; bit 0 is x0.
using RegisterMask = uint32_t;
inline constexpr RegisterMask kAllArgRegisters = 0x3fffe;     // x1..x17
inline constexpr RegisterMask kAllResultRegisters = 0x3ffff;  // x0..x17

struct Call {
  // w0 as issued (SVE hint included).
  uint32_t function_id = 0;
  Conduit conduit = Conduit::kHvc;
  // x[i] for i in 1..17 are the arguments; x[0] is unused (see function_id).
  // Registers not read from the guest are zero.
  std::array<uint64_t, kNumRegisters> x{};
  // Bit i set: x[i] was read from the guest.
  RegisterMask args_read_mask = 0;
  // One entry per memory operand of the call's range that applies to it.
  std::vector<MemoryBuffer> memory;
};

struct Result {
  // x[i] is the value for xi when bit i of written_mask is set.
  std::array<uint64_t, kNumRegisters> x{};
  // Registers the call writes; x0 is always written.
  RegisterMask written_mask = 1;
  // Bytes to write back into guest RAM, per OUT/INOUT operand of the call.
  std::vector<MemoryBuffer> memory;

  // Writes xi and marks it written.
  void Set(int i, uint64_t value) {
    x[i] = value;
    written_mask |= RegisterMask{1} << i;
  }
  // A result that only sets x0 to an SMCCC return code (sign-extended).
  static Result Code(int64_t code) {
    Result r;
    r.x[0] = static_cast<uint64_t>(code);
    return r;
  }
};

// Applies SMC32/HVC32 semantics when `function_id` is a 32-bit call: the
// upper halves of the arguments are ignored (cleared) and only w0-w7 are
// results, each 32 bits. Arguments past w7 are cleared too. No-op for SMC64 calls.
void ApplyCallingConvention(uint32_t function_id, Call& call);
void ApplyCallingConvention(uint32_t function_id, Result& result);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_CALL_H_
