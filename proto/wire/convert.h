// The one place where plain SMCCC values (smccc::Call/Result) and their wire
// messages (v1::Call/Result) are converted.
#ifndef HYPERCALL_PROTO_WIRE_CONVERT_H_
#define HYPERCALL_PROTO_WIRE_CONVERT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "hypercall/v1/common.pb.h"
#include "smccc/call.h"
#include "smccc/memory_operand.h"

namespace hypercall::wire {

void ToProto(const smccc::Call& call, v1::Call& out);
void ToProto(const smccc::Result& result, v1::Result& out);

// "in", "out" or "inout" (smccc::MemoryDirectionName); "?" when unspecified.
const char* DirectionName(v1::MemoryOperand::Direction direction);

void ToProto(const smccc::MemoryOperand& operand, v1::MemoryOperand& out);
void ToProto(const std::vector<smccc::MemoryOperand>& operands,
             google::protobuf::RepeatedPtrField<v1::MemoryOperand>& out);

// InvalidArgument, saying what is wrong, for more than 17 arguments, an
// unspecified conduit, or memory buffers (more than 4, an unspecified
// direction, more than 16384 bytes).
absl::StatusOr<smccc::Call> FromProto(const v1::Call& call);
// InvalidArgument for more than 18 registers, a written_mask naming
// registers beyond x17, or more than 4 memory buffers or one over 16384
// bytes. Whether the buffers fit the call is smccc::CheckResultMemory's job.
absl::StatusOr<smccc::Result> FromProto(const v1::Result& result);
// InvalidArgument for an unspecified direction; the other rules are
// smccc::CheckMemoryOperands'.
absl::StatusOr<smccc::MemoryOperand> FromProto(const v1::MemoryOperand& operand);
absl::StatusOr<std::vector<smccc::MemoryOperand>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::MemoryOperand>& operands);

}  // namespace hypercall::wire

#endif  // HYPERCALL_PROTO_WIRE_CONVERT_H_
