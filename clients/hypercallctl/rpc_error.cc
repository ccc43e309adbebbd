#include "hypercallctl/rpc_error.h"

#include "absl/strings/str_format.h"

namespace hypercall::ctl {
namespace {

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrFormat("code %d", static_cast<int>(code));
  }
}

}  // namespace

absl::Status FromRpcStatus(const grpc::Status& status, const RpcDescription& rpc) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  switch (status.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::Status(code, absl::StrFormat("hypercalld did not answer %s within %u s on %s "
                                                "(is it overloaded? raise --timeout)",
                                                rpc.what, rpc.timeout_seconds, rpc.socket_path));
    case grpc::StatusCode::UNAVAILABLE:
      return absl::Status(code, absl::StrFormat("lost hypercalld on %s during %s: %s",
                                                rpc.socket_path, rpc.what, status.error_message()));
    default:
      return absl::Status(code,
                          absl::StrFormat("hypercalld refused %s (%s): %s", rpc.what,
                                          CodeName(status.error_code()), status.error_message()));
  }
}

}  // namespace hypercall::ctl
