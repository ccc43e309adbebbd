#include "daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/stat.h>

#include "log.h"
#include "providers/provider_registry.h"
#include "socket_files.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::daemon {

Daemon::Daemon(const DaemonOptions& options)
    : options_(options),
      broker_(options.broker),
      vmm_service_(broker_, options.max_vmm_streams),
      observer_service_(broker_, {.runtime_dir = options.runtime_dir}) {}

Daemon::~Daemon() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  std::unique_ptr<Daemon> daemon(new Daemon(options));
  if (absl::Status status = daemon->AddBuiltinProviders(); !status.ok()) return status;
  if (absl::Status status = PrepareRuntimeDir(options.runtime_dir); !status.ok()) return status;
  for (std::string_view name : {wire::kVmmSocketName, wire::kObserverSocketName}) {
    absl::Status status = ClaimSocketPath(wire::SocketPath(options.runtime_dir, name));
    if (!status.ok()) return status;
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto vmm = daemon->Serve(daemon->vmm_service_, wire::kVmmSocketName, 0);
  if (!vmm.ok()) return vmm.status();
  daemon->vmm_server_ = std::move(*vmm);
  auto observer = daemon->Serve(daemon->observer_service_, wire::kObserverSocketName,
                                options.max_observer_threads);
  if (!observer.ok()) return observer.status();
  daemon->observer_server_ = std::move(*observer);
  return daemon;
}

absl::Status Daemon::AddBuiltinProviders() {
  for (const std::string& name : options_.providers.value_or(providers::DefaultProviderNames())) {
    absl::StatusOr<std::unique_ptr<providers::Provider>> provider = providers::CreateProvider(name);
    if (!provider.ok()) return provider.status();
    if (absl::Status status = broker_.AddProvider(std::move(*provider), "builtin"); !status.ok()) {
      return status;
    }
    Log(LogLevel::kInfo, "provider %s (builtin) loaded", name);
  }
  for (const core::Route& route : broker_.Routes()->routes()) {
    Log(LogLevel::kInfo, "range 0x%08x-0x%08x -> %s (reads mask 0x%x)", route.range.first,
        route.range.last, route.provider->name, route.args_read_mask);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<grpc::Server>> Daemon::Serve(grpc::Service& service,
                                                            std::string_view socket_name,
                                                            int max_threads) {
  const std::string path = wire::SocketPath(options_.runtime_dir, socket_name);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(wire::GrpcUnixTarget(options_.runtime_dir, socket_name),
                           grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  builder.SetMaxSendMessageSize(wire::kMaxMessageBytes);
  if (max_threads > 0) {
    grpc::ResourceQuota quota("hypercalld-" + std::string(socket_name));
    quota.SetMaxThreads(max_threads);
    builder.SetResourceQuota(quota);
  }
  // The socket is born with the final mode: no window in which others could
  // connect.
  const mode_t previous_umask = umask(0777 & ~options_.socket_mode);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  umask(previous_umask);
  if (server == nullptr) {
    return absl::FailedPreconditionError("cannot listen on " + path);
  }
  if (absl::Status status = RestrictSocket(path, options_.socket_mode); !status.ok()) {
    server->Shutdown();
    return status;
  }
  Log(LogLevel::kInfo, "listening on %s (mode %o)", path, options_.socket_mode);
  return server;
}

void Daemon::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  // Every session and trace ends, each stream once its call in flight is
  // answered. Then the servers have only idle connections left (which gRPC
  // would otherwise hold open until the deadline) and stop at once.
  broker_.Shutdown();
  if (!vmm_service_.AwaitNoStreams(absl::Now() + options_.drain_timeout)) {
    Log(LogLevel::kWarning, "VMM streams still open after %s: cancelling them",
        absl::FormatDuration(options_.drain_timeout));
  }
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.close_timeout);
  for (grpc::Server* server : {vmm_server_.get(), observer_server_.get()}) {
    if (server != nullptr) server->Shutdown(deadline);
  }
  for (std::string_view name : {wire::kVmmSocketName, wire::kObserverSocketName}) {
    if ((name == wire::kVmmSocketName ? vmm_server_ : observer_server_) != nullptr) {
      RemoveSocketFile(wire::SocketPath(options_.runtime_dir, name));
    }
  }
}

}  // namespace hypercall::daemon
