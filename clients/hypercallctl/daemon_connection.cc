#include "hypercallctl/daemon_connection.h"

#include <chrono>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "hypercallctl/rpc_error.h"
#include "hypercallctl/socket_check.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::ctl {

v1::Hello ClientHello() { return wire::MakeHello(wire::SoftwareName("hypercallctl")); }

absl::StatusOr<DaemonConnection> DaemonConnection::Open(const GlobalOptions& options,
                                                        std::string_view socket_name) {
  std::string socket_path = wire::SocketPath(options.runtime_dir, socket_name);
  if (absl::Status check = CheckDaemonSocket(socket_path); !check.ok()) return check;
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  arguments.SetMaxSendMessageSize(wire::kMaxMessageBytes);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(wire::GrpcUnixTarget(options.runtime_dir, socket_name),
                                grpc::InsecureChannelCredentials(), arguments);
  return DaemonConnection(std::move(channel), std::move(socket_path), options.timeout_seconds);
}

DaemonConnection::DaemonConnection(std::shared_ptr<grpc::Channel> channel, std::string socket_path,
                                   uint64_t timeout_seconds)
    : channel_(std::move(channel)),
      socket_path_(std::move(socket_path)),
      timeout_seconds_(timeout_seconds) {}

std::unique_ptr<grpc::ClientContext> DaemonConnection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds_));
  return context;
}

absl::Status DaemonConnection::RpcFailure(const grpc::Status& status,
                                          const std::string& what) const {
  return FromRpcStatus(
      status, {.what = what, .socket_path = socket_path_, .timeout_seconds = timeout_seconds_});
}

}  // namespace hypercall::ctl
