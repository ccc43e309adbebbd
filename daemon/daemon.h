// The running daemon: the broker core with its providers (built in, and
// external ones served over the provider socket), and one gRPC server per
// role socket. It accepts connections itself, so every session and provider
// stream carries its peer's kernel-verified identity. Start() brings it all
// up or fails saying what to fix; Reload() applies a new config; Shutdown()
// takes it down gracefully.
#ifndef HYPERCALL_DAEMON_DAEMON_H_
#define HYPERCALL_DAEMON_DAEMON_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "activated_sockets.h"
#include "base/call_timer.h"
#include "base/clock.h"
#include "core/broker.h"
#include "hypercall/config/v1/config.pb.h"
#include "service/connection_limiter.h"
#include "service/external_providers.h"
#include "service/observer_grant.h"
#include "service/observer_service.h"
#include "service/peer_directory.h"
#include "service/provider_service.h"
#include "service/unix_listener.h"
#include "service/vmm_service.h"

namespace hypercall::daemon {

struct DaemonOptions {
  // Directory holding the sockets the config does not place elsewhere;
  // created (0755) when missing.
  std::string runtime_dir;
  // The config file's contents, checked (config::ParseConfig). Its limits,
  // or their defaults (config/limits.h), set the matching fields below.
  config::v1::Config config;
  // Without provider blocks in the config: the built-in providers to load,
  // by registered name; nullopt: those registered as on by default.
  std::optional<std::vector<std::string>> providers;
  // Sockets systemd passed in, by role: served as they are, in place of
  // the ones the config describes (their path, owner and mode are the
  // socket units'). Roles not here get a socket the daemon binds itself.
  // The daemon takes the descriptors.
  ActivatedSockets activated_sockets;
  // Limits of the broker core.
  core::BrokerOptions broker;
  // What every deadline of the daemon is measured on (provider call
  // deadlines, the shutdown drain); must outlive the daemon.
  const base::Clock* clock = &base::Clock::Real();
  // How long Shutdown() waits for VMM streams to answer their calls in
  // flight and end before they are cancelled.
  absl::Duration drain_timeout = absl::Seconds(2);
  // How long Shutdown() then gives unary observer requests still running
  // (and idle connections) before the servers stop.
  absl::Duration close_timeout = absl::Milliseconds(250);
  // Threads the observer server may use for its sync-API calls (unary
  // requests, reflection).
  int max_observer_threads = 64;
  // The same for the VMM and provider servers, whose only sync-API calls
  // are reflection's: a peer holding them all blocks only reflection.
  int max_sync_threads = 8;
  // Session and vCPU streams at once across all VMMs (enough for 32 VMs of
  // 512 vCPUs); more are refused with RESOURCE_EXHAUSTED.
  int max_vmm_streams = 16384;
};

class Daemon {
 public:
  // Creates the providers, claims their ranges and starts serving on the
  // vmm, observer and provider sockets. Fails when a provider name is not
  // registered, a claim is refused, another daemon serves there, or a
  // socket cannot be created or given its owner.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);

  // Applies `config` (already checked) to the running daemon: providers and
  // their ranges, who may serve them, and the VM rules, for VMs that attach
  // from now on. Attached VMs keep their plan, except those planned with a
  // provider the reload replaces (its settings changed) or removes: their
  // sessions end with ABORTED saying which, and their VMMs attach again.
  // Who sees registers in traces changes at once (traces already running
  // too). Providers it does not change keep running, with their connected
  // processes (less those the allow lists no longer name). Changes to
  // sockets and limits need a restart: each is logged. On failure the
  // running config stays.
  absl::Status Reload(const config::v1::Config& config);

  // For systemd's STATUS=: VMs, vCPUs, providers, calls (service_status.h).
  std::string Status() const;

  // Stops accepting, ends every session and trace once calls in flight are
  // answered, stops the servers and removes the sockets. Idempotent.
  void Shutdown();

  ~Daemon();

 private:
  explicit Daemon(const DaemonOptions& options);

  absl::Status ApplyProviders(const config::v1::Config& config);
  void ApplyObservers(const config::v1::Config& config);
  // Builds a server for `service` and listens for it on the socket of
  // `role` systemd passed in, or else on the one `socket` describes
  // (default path <runtime_dir>/`default_name`).
  absl::Status Serve(grpc::Service& service, std::string_view role,
                     const config::v1::Socket& socket, std::string_view default_name,
                     int max_threads);
  // The listener for Serve().
  absl::StatusOr<std::unique_ptr<service::UnixListener>> Listen(std::string_view role,
                                                                const config::v1::Socket& socket,
                                                                std::string_view default_name);

  const DaemonOptions options_;
  // Declared before the broker: deadline callbacks may run until the
  // providers are gone.
  base::CallTimer call_timer_{*options_.clock};
  core::Broker broker_;
  service::PeerDirectory peers_;
  service::ExternalProviderTable external_providers_;
  service::ObserverGrant observer_grant_;
  service::VmmService vmm_service_;
  service::ObserverService observer_service_;
  service::ProviderService provider_service_;
  // Declared before the servers and listeners, which use it.
  std::unique_ptr<service::ConnectionLimiter> connections_;
  std::vector<std::unique_ptr<grpc::Server>> servers_;
  std::vector<std::unique_ptr<service::UnixListener>> listeners_;
  config::v1::Config running_config_;
  // Those of options_.activated_sockets no listener has taken yet (closed
  // with the daemon).
  ActivatedSockets activated_sockets_;
  bool stopped_ = false;
};

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_DAEMON_H_
