// The one place where plain SMCCC values (smccc::Call/Result) and their wire
// messages (v1::Call/Result) are converted.
#ifndef HYPERCALL_PROTO_WIRE_CONVERT_H_
#define HYPERCALL_PROTO_WIRE_CONVERT_H_

#include "absl/status/statusor.h"
#include "hypercall/v1/common.pb.h"
#include "smccc/call.h"

namespace hypercall::wire {

void ToProto(const smccc::Call& call, v1::Call& out);
void ToProto(const smccc::Result& result, v1::Result& out);

// InvalidArgument, saying what is wrong, for more than 17 arguments or an
// unspecified conduit.
absl::StatusOr<smccc::Call> FromProto(const v1::Call& call);
// InvalidArgument for more than 18 registers or a written_mask naming
// registers beyond x17.
absl::StatusOr<smccc::Result> FromProto(const v1::Result& result);

}  // namespace hypercall::wire

#endif  // HYPERCALL_PROTO_WIRE_CONVERT_H_
