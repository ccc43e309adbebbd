// A gRPC channel to one of the daemon's sockets, checked before use (see
// socket_check.h), and what every request on it carries: a deadline of
// --timeout and the Hello.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_DAEMON_CONNECTION_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_DAEMON_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "hypercall/v1/common.pb.h"
#include "hypercallctl/global_options.h"

namespace hypercall::ctl {

// The Hello on every request: protocol version and "hypercallctl/<version>".
v1::Hello ClientHello();

class DaemonConnection {
 public:
  // Checks <runtime_dir>/<socket_name> (a precise error when no daemon
  // listens or access is denied), then opens a channel with the protocol's
  // message size limits.
  static absl::StatusOr<DaemonConnection> Open(const GlobalOptions& options,
                                               std::string_view socket_name);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& socket_path() const { return socket_path_; }

  // A context for one RPC, with its deadline --timeout from now.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  // The error to report when RPC `what` ended with `status` (OK stays OK).
  absl::Status RpcFailure(const grpc::Status& status, const std::string& what) const;

 private:
  DaemonConnection(std::shared_ptr<grpc::Channel> channel, std::string socket_path,
                   uint64_t timeout_seconds);

  std::shared_ptr<grpc::Channel> channel_;
  std::string socket_path_;
  uint64_t timeout_seconds_;
};

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_DAEMON_CONNECTION_H_
