// The running daemon: the broker core with its built-in providers, and one
// gRPC server per role socket in the runtime directory. Start() brings it
// all up or fails saying what to fix; Shutdown() takes it down gracefully.
#ifndef HYPERCALL_DAEMON_DAEMON_H_
#define HYPERCALL_DAEMON_DAEMON_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/broker.h"
#include "service/observer_service.h"
#include "service/vmm_service.h"

namespace hypercall::daemon {

struct DaemonOptions {
  // Directory holding the sockets; created (0755) when missing.
  std::string runtime_dir;
  // Mode of the socket files (owner and group may connect).
  unsigned socket_mode = 0660;
  // Built-in providers to load, by registered name; nullopt: those
  // registered as on by default.
  std::optional<std::vector<std::string>> providers;
  // Limits of the broker core.
  core::BrokerOptions broker;
  // How long Shutdown() waits for VMM streams to answer their calls in
  // flight and end before they are cancelled.
  absl::Duration drain_timeout = absl::Seconds(2);
  // How long Shutdown() then gives unary observer requests still running
  // (and idle connections) before the servers stop.
  absl::Duration close_timeout = absl::Milliseconds(250);
  // Threads the observer server may use (each Trace stream holds one).
  int max_observer_threads = 64;
  // Session and vCPU streams at once across all VMMs (enough for 32 VMs of
  // 512 vCPUs); more are refused with RESOURCE_EXHAUSTED.
  int max_vmm_streams = 16384;
};

class Daemon {
 public:
  // Creates the chosen built-in providers, claims their ranges and starts
  // serving on <runtime_dir>/vmm.sock and observer.sock. Fails when a
  // provider name is not registered, a provider claim is refused, another
  // daemon serves there, or a socket cannot be created.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);

  // Stops accepting, ends every session and trace once calls in flight are
  // answered, stops the servers and removes the sockets. Idempotent.
  void Shutdown();

  ~Daemon();

 private:
  explicit Daemon(const DaemonOptions& options);

  absl::Status AddBuiltinProviders();
  // Builds a server for `service` listening on `socket_name`.
  absl::StatusOr<std::unique_ptr<grpc::Server>> Serve(grpc::Service& service,
                                                      std::string_view socket_name,
                                                      int max_threads);

  const DaemonOptions options_;
  core::Broker broker_;
  service::VmmService vmm_service_;
  service::ObserverService observer_service_;
  std::unique_ptr<grpc::Server> vmm_server_;
  std::unique_ptr<grpc::Server> observer_server_;
  bool stopped_ = false;
};

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_DAEMON_H_
