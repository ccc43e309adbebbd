// The one place where a failed RPC's grpc::Status becomes the absl::Status
// hypercallctl reports: the daemon's own message, plus what to do for the
// failures that are not the daemon's answer (timeout, connection lost).
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_RPC_ERROR_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_RPC_ERROR_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace hypercall::ctl {

// Where and how the RPC was made, for the message.
struct RpcDescription {
  // What was asked, for the message: "GetStatus", "the trace".
  std::string what;
  // The socket the RPC went to.
  std::string socket_path;
  // The deadline it had, in seconds.
  uint64_t timeout_seconds = 0;
};

// OK for an OK status; otherwise an error with the same code and a message
// such as "hypercalld refused GetStatus (FAILED_PRECONDITION): ...".
absl::Status FromRpcStatus(const grpc::Status& status, const RpcDescription& rpc);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_RPC_ERROR_H_
