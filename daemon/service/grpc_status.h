// The one place absl::Status becomes grpc::Status: the broker core speaks
// absl, the wire speaks gRPC, and the codes and messages carry over as is.
#ifndef HYPERCALL_DAEMON_SERVICE_GRPC_STATUS_H_
#define HYPERCALL_DAEMON_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace hypercall::service {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_GRPC_STATUS_H_
