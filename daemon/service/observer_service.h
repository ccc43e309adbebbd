// The observer role's gRPC service: read-only views of the broker (status,
// ranges, sessions, providers) and the live trace. Thin adapters over
// core::Broker; every request starts with the version handshake. Nothing
// here changes state or opens anything. The trace carries call metadata to
// every watcher, register values and guest addresses only to one the
// ObserverGrant names, and secret results to none (core/trace_redaction.h).
// Trace runs on the callback API (service/trace_stream.h), so a watcher
// holds no thread.
#ifndef HYPERCALL_DAEMON_SERVICE_OBSERVER_SERVICE_H_
#define HYPERCALL_DAEMON_SERVICE_OBSERVER_SERVICE_H_

#include <string>

#include "base/call_timer.h"
#include "core/broker.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "service/observer_grant.h"
#include "service/peer_directory.h"
#include "service/trace_stream.h"

namespace hypercall::service {

struct ObserverServiceOptions {
  // Shown in StatusReply.runtime_dir.
  std::string runtime_dir;
  // How Trace streams look for records and drop watchers that stopped
  // reading.
  TraceStreamOptions trace;
};

class ObserverService final
    : public v1::ObserverService::WithCallbackMethod_Trace<v1::ObserverService::Service> {
 public:
  // `broker`, `peers` (who each connection is), `grant` and `timer` (which
  // Trace streams poll on) must outlive the service and its streams.
  ObserverService(core::Broker& broker, const PeerDirectory& peers, const ObserverGrant& grant,
                  base::CallTimer& timer, ObserverServiceOptions options);

  grpc::Status GetStatus(grpc::ServerContext* context, const v1::StatusRequest* request,
                         v1::StatusReply* reply) override;
  grpc::Status ListRanges(grpc::ServerContext* context, const v1::ListRangesRequest* request,
                          v1::ListRangesReply* reply) override;
  grpc::Status ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                            v1::ListSessionsReply* reply) override;
  grpc::Status ListProviders(grpc::ServerContext* context, const v1::ListProvidersRequest* request,
                             v1::ListProvidersReply* reply) override;
  grpc::ServerWriteReactor<v1::TraceEvent>* Trace(grpc::CallbackServerContext* context,
                                                  const v1::TraceRequest* request) override;

 private:
  core::Broker& broker_;
  const PeerDirectory& peers_;
  const ObserverGrant& grant_;
  base::CallTimer& timer_;
  const ObserverServiceOptions options_;
  const absl::Time started_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_OBSERVER_SERVICE_H_
