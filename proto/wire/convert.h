// The one place where plain SMCCC values (smccc::Call/Result, ranges and
// claims) and their wire messages (v1::Call/Result, v1::Claim, the ranges of
// PlannedRange and RangeInfo) are converted.
#ifndef HYPERCALL_PROTO_WIRE_CONVERT_H_
#define HYPERCALL_PROTO_WIRE_CONVERT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "hypercall/v1/common.pb.h"
#include "hypercall/v1/observer.pb.h"
#include "hypercall/v1/provider.pb.h"
#include "hypercall/v1/vmm.pb.h"
#include "smccc/call.h"
#include "smccc/function_range.h"
#include "smccc/memory_operand.h"
#include "smccc/range_claim.h"

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

// The wire's [first_function_id, first_function_id + count) as a closed
// range. InvalidArgument, in smccc::CheckRange's style, for count 0 ("range
// 0xc3000000+0 is empty: count must be at least 1") or a range running past
// the last ID ("range 0xfffffff0+17 runs past 0xffffffff"); the other range
// rules are smccc::CheckRange's.
absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::Claim& claim);
absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::PlannedRange& range);
absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::RangeInfo& range);
// Sets first_function_id and count from `range` (not empty, not all 2^32
// IDs: a count cannot say that many).
void SetRange(const smccc::FunctionRange& range, v1::Claim& out);
void SetRange(const smccc::FunctionRange& range, v1::PlannedRange& out);
void SetRange(const smccc::FunctionRange& range, v1::RangeInfo& out);

void ToProto(const smccc::RangeClaim& claim, v1::Claim& out);
// RangeFromProto's and the memory operands' conversion errors; whether the
// claim keeps the rules is smccc::CheckClaim's job.
absl::StatusOr<smccc::RangeClaim> FromProto(const v1::Claim& claim);

}  // namespace hypercall::wire

#endif  // HYPERCALL_PROTO_WIRE_CONVERT_H_
