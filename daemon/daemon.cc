#include "daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/log.h"
#include "config/limits.h"
#include "core/vm_description.h"
#include "google/protobuf/util/message_differencer.h"
#include "provider_setup.h"
#include "service_status.h"
#include "socket_files.h"
#include "vm_rules.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::daemon {
namespace {

constexpr unsigned kDefaultSocketMode = 0660;
// In the runtime dir: who held which VM name (core/held_names.h).
constexpr const char kHeldNamesFile[] = "held-vm-names";

// `options` with the config's limits (or their defaults) in force.
DaemonOptions WithConfigLimits(DaemonOptions options) {
  const config::LimitsInForce limits = config::InForce(options.config.limits());
  options.broker.max_sessions = limits.max_sessions;
  options.broker.max_sessions_per_uid = limits.max_sessions_per_uid;
  if (!options.runtime_dir.empty()) {
    options.broker.held_names_path = wire::SocketPath(options.runtime_dir, kHeldNamesFile);
  }
  options.broker.restart_grace = std::chrono::milliseconds(limits.restart_grace_ms);
  options.broker.clock = options.clock;
  options.broker.max_trace_watchers = limits.max_trace_watchers;
  options.broker.call_deadline = std::chrono::milliseconds(limits.call_deadline_ms);
  return options;
}

int MaxMessageBytes(const config::v1::Config& config) {
  return static_cast<int>(config::InForce(config.limits()).max_message_bytes);
}

size_t MaxProviderQueue(const config::v1::Config& config) {
  // Every call in flight, plus room for claim replies.
  return config::InForce(config.limits()).max_calls_in_flight_per_provider + 64;
}

service::OpenTimeout OpenTimeoutOf(const config::v1::Config& config, base::CallTimer& timer) {
  return {.timer = timer,
          .limit = absl::Milliseconds(config::InForce(config.limits()).open_timeout_ms)};
}

// What gRPC itself bounds on each connection of `socket` (a role socket's
// default name): how many streams it may have open at once, and how soon a
// peer that stops answering is dropped (keepalive pings; a live peer's gRPC
// answers them on its own threads).
void SetConnectionBounds(grpc::ServerBuilder& builder, std::string_view socket) {
  // A VMM opens a session and one stream per vCPU: room for two of the
  // largest VMs per connection (a VMM process's VMs share one). Providers
  // and observers need a few.
  const int max_streams = socket == wire::kVmmSocketName ? 2 * (core::kMaxVcpus + 1) : 64;
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, max_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace

Daemon::Daemon(const DaemonOptions& options)
    : options_(options),
      broker_(options.broker),
      vmm_service_(broker_, peers_, options.max_vmm_streams,
                   OpenTimeoutOf(options.config, call_timer_)),
      observer_service_(broker_, peers_, observer_grant_, call_timer_,
                        {.runtime_dir = options.runtime_dir, .trace = {}}),
      provider_service_(
          external_providers_, peers_,
          static_cast<int>(config::InForce(options.config.limits()).max_providers),
          static_cast<int>(config::InForce(options.config.limits()).max_provider_streams_per_uid),
          MaxProviderQueue(options.config),
          config::InForce(options.config.limits()).max_provider_queue_bytes,
          OpenTimeoutOf(options.config, call_timer_)),
      running_config_(options.config),
      activated_sockets_(options.activated_sockets) {}

Daemon::~Daemon() {
  Shutdown();
  for (const auto& [role, fd] : activated_sockets_) close(fd);
}

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  std::unique_ptr<Daemon> daemon(new Daemon(WithConfigLimits(options)));
  if (absl::Status status = daemon->ApplyProviders(options.config); !status.ok()) return status;
  daemon->ApplyObservers(options.config);
  if (absl::Status status = PrepareRuntimeDir(options.runtime_dir); !status.ok()) return status;
  const config::LimitsInForce limits = config::InForce(options.config.limits());
  absl::StatusOr<std::unique_ptr<service::ConnectionLimiter>> connections =
      service::ConnectionLimiter::Create(
          {.max_total = static_cast<int>(limits.max_connections),
           .max_per_uid = static_cast<int>(limits.max_connections_per_uid)});
  if (!connections.ok()) return connections.status();
  daemon->connections_ = *std::move(connections);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  const config::v1::Sockets& sockets = options.config.sockets();
  absl::Status status = daemon->Serve(daemon->vmm_service_, "vmm", sockets.vmm(),
                                      wire::kVmmSocketName, options.max_sync_threads);
  if (status.ok()) {
    status = daemon->Serve(daemon->observer_service_, "observer", sockets.observer(),
                           wire::kObserverSocketName, options.max_observer_threads);
  }
  if (status.ok()) {
    status = daemon->Serve(daemon->provider_service_, "provider", sockets.provider(),
                           wire::kProviderSocketName, options.max_sync_threads);
  }
  if (!status.ok()) return status;
  return daemon;
}

absl::Status Daemon::ApplyProviders(const config::v1::Config& config) {
  absl::StatusOr<ProviderSet> set =
      SetUpProviders(config, options_.providers, broker_.ProviderSetups(), call_timer_);
  if (!set.ok()) return set.status();
  std::vector<service::ExternalProvider> external = set->external;
  // Routes and VM rules in one step; sessions planned with a provider this
  // replaces or removes end, saying so, and their VMMs attach again.
  if (absl::Status status = broker_.SetProviders(std::move(set->providers), VmRulePolicy(config));
      !status.ok()) {
    return status;
  }
  external_providers_.Replace(std::move(external));
  for (const core::Broker::ProviderSetup& setup : broker_.ProviderSetups()) {
    Log(LogLevel::kInfo, "provider %s (%s)", setup.entry->name, setup.entry->kind);
  }
  for (const core::Route& route : broker_.Routes()->routes()) {
    Log(LogLevel::kInfo, "range 0x%08x-0x%08x -> %s (reads mask 0x%x%s)", route.range.first,
        route.range.last, route.provider->name, route.args_read_mask,
        route.secret_results ? ", results secret" : "");
  }
  for (const config::v1::VmRule& rule : config.vm()) {
    Log(LogLevel::kInfo, "VMs named %s get: %s", rule.name(),
        rule.provider().empty() ? "no providers" : absl::StrJoin(rule.provider(), ", "));
    if (!rule.allow_uid().empty() || !rule.allow_gid().empty() || !rule.allow_unit().empty()) {
      Log(LogLevel::kInfo, "VMs named %s may be attached by uid [%s], gid [%s], unit [%s]",
          rule.name(), absl::StrJoin(rule.allow_uid(), ", "), absl::StrJoin(rule.allow_gid(), ", "),
          absl::StrJoin(rule.allow_unit(), ", "));
    }
  }
  return absl::OkStatus();
}

void Daemon::ApplyObservers(const config::v1::Config& config) {
  const config::v1::Grant& registers = config.observers().registers();
  observer_grant_.Replace({registers.allow_uid().begin(), registers.allow_uid().end()},
                          {registers.allow_gid().begin(), registers.allow_gid().end()});
  if (registers.allow_uid().empty() && registers.allow_gid().empty()) {
    Log(LogLevel::kInfo, "observers see call metadata only (no registers grant)");
  } else {
    Log(LogLevel::kInfo, "observers with uid [%s] or gid [%s] see registers",
        absl::StrJoin(registers.allow_uid(), ", "), absl::StrJoin(registers.allow_gid(), ", "));
  }
}

absl::Status Daemon::Reload(const config::v1::Config& config) {
  if (!Same(config.sockets(), running_config_.sockets())) {
    Log(LogLevel::kWarning, "reload: socket changes take effect at the next restart");
  }
  if (!Same(config.limits(), running_config_.limits())) {
    Log(LogLevel::kWarning,
        "reload: limit changes take effect at the next restart (a changed call deadline or "
        "in-flight limit applies to external providers that are new or changed)");
  }
  if (absl::Status status = ApplyProviders(config); !status.ok()) return status;
  ApplyObservers(config);
  running_config_ = config;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<service::UnixListener>> Daemon::Listen(
    std::string_view role, const config::v1::Socket& socket, std::string_view default_name) {
  if (auto activated = activated_sockets_.find(std::string(role));
      activated != activated_sockets_.end()) {
    if (!socket.path().empty() || socket.has_mode() || !socket.owner().empty() ||
        !socket.group().empty()) {
      Log(LogLevel::kWarning,
          "the config's %s socket settings are unused: systemd passed the socket (its .socket "
          "unit sets path, owner and mode)",
          role);
    }
    const int fd = activated->second;
    activated_sockets_.erase(activated);
    absl::StatusOr<std::unique_ptr<service::UnixListener>> listener =
        service::UnixListener::Adopt(fd);
    if (listener.ok()) {
      Log(LogLevel::kInfo, "serving %s (the %s socket systemd passed)", (*listener)->path(), role);
    }
    return listener;
  }
  const std::string path =
      socket.path().empty() ? wire::SocketPath(options_.runtime_dir, default_name) : socket.path();
  const unsigned mode = socket.has_mode() ? socket.mode() : kDefaultSocketMode;
  if (absl::Status status = ClaimSocketPath(path); !status.ok()) return status;
  absl::StatusOr<service::SocketOwner> owner =
      ResolveSocketOwner(path, socket.owner(), socket.group());
  if (!owner.ok()) return owner.status();
  absl::StatusOr<std::unique_ptr<service::UnixListener>> listener =
      service::UnixListener::Listen(path, mode, *owner);
  if (listener.ok()) Log(LogLevel::kInfo, "listening on %s (mode %o)", path, mode);
  return listener;
}

absl::Status Daemon::Serve(grpc::Service& service, std::string_view role,
                           const config::v1::Socket& socket, std::string_view default_name,
                           int max_threads) {
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(MaxMessageBytes(running_config_));
  builder.SetMaxSendMessageSize(MaxMessageBytes(running_config_));
  SetConnectionBounds(builder, default_name);
  // Sync-API calls (reflection, the observer's unary calls) each hold one of
  // these threads while they run; past the bound gRPC refuses new ones with
  // RESOURCE_EXHAUSTED. Callback-API streams hold none.
  grpc::ResourceQuota quota("hypercalld-" + std::string(default_name));
  quota.SetMaxThreads(max_threads);
  builder.SetResourceQuota(quota);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    return absl::InternalError(absl::StrFormat("cannot start the server for the %s socket", role));
  }
  absl::StatusOr<std::unique_ptr<service::UnixListener>> listener =
      Listen(role, socket, default_name);
  if (!listener.ok()) {
    server->Shutdown();
    return listener.status();
  }
  (*listener)->Serve(*server, peers_, *connections_);
  servers_.push_back(std::move(server));
  listeners_.push_back(std::move(*listener));
  return absl::OkStatus();
}

std::string Daemon::Status() const { return ServiceStatus(broker_); }

void Daemon::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  // No new connections; then every session and trace ends, each stream once
  // its call in flight is answered, and the servers have only idle
  // connections and provider streams left, which their shutdown cancels.
  listeners_.clear();  // Removes the socket files that are still ours.
  broker_.Shutdown();
  const base::Clock& clock = *options_.clock;
  if (!vmm_service_.AwaitNoStreams(clock.Now() + options_.drain_timeout, clock)) {
    Log(LogLevel::kWarning, "VMM streams still open after %s: cancelling them",
        absl::FormatDuration(options_.drain_timeout));
  }
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.close_timeout);
  for (const auto& server : servers_) server->Shutdown(deadline);
}

}  // namespace hypercall::daemon
