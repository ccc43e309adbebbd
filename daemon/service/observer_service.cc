#include "service/observer_service.h"

#include <unistd.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "core/trace_redaction.h"
#include "providers/remote/remote_provider.h"
#include "service/grpc_status.h"
#include "service/messages.h"
#include "wire/protocol.h"

namespace hypercall::service {

ObserverService::ObserverService(core::Broker& broker, const PeerDirectory& peers,
                                 const ObserverGrant& grant, base::CallTimer& timer,
                                 ObserverServiceOptions options)
    : broker_(broker),
      peers_(peers),
      grant_(grant),
      timer_(timer),
      options_(std::move(options)),
      started_(absl::Now()) {}

grpc::Status ObserverService::GetStatus(grpc::ServerContext* /*context*/,
                                        const v1::StatusRequest* request, v1::StatusReply* reply) {
  if (absl::Status hello = wire::CheckHello(request->hello(), request->has_hello()); !hello.ok()) {
    return ToGrpcStatus(hello);
  }
  const core::BrokerStats stats = broker_.Stats();
  *reply->mutable_hello() = wire::MakeHelloReply(request->hello());
  reply->set_pid(static_cast<uint32_t>(getpid()));
  reply->set_uptime_seconds(static_cast<uint64_t>(absl::ToInt64Seconds(absl::Now() - started_)));
  reply->set_runtime_dir(options_.runtime_dir);
  reply->set_sessions(stats.sessions);
  reply->set_vcpu_streams(stats.vcpu_streams);
  reply->set_calls_total(stats.calls_total);
  reply->set_calls_unowned(stats.calls_unowned);
  reply->set_trace_watchers(stats.trace_watchers);
  reply->set_trace_events_dropped(stats.trace_events_dropped);
  return grpc::Status::OK;
}

grpc::Status ObserverService::ListRanges(grpc::ServerContext* /*context*/,
                                         const v1::ListRangesRequest* request,
                                         v1::ListRangesReply* reply) {
  if (absl::Status hello = wire::CheckHello(request->hello(), request->has_hello()); !hello.ok()) {
    return ToGrpcStatus(hello);
  }
  for (const core::Route& route : broker_.Routes()->routes()) {
    ToRangeInfo(route, *reply->add_ranges());
  }
  return grpc::Status::OK;
}

grpc::Status ObserverService::ListSessions(grpc::ServerContext* /*context*/,
                                           const v1::ListSessionsRequest* request,
                                           v1::ListSessionsReply* reply) {
  if (absl::Status hello = wire::CheckHello(request->hello(), request->has_hello()); !hello.ok()) {
    return ToGrpcStatus(hello);
  }
  auto sessions = broker_.Sessions();
  std::sort(sessions.begin(), sessions.end(),
            [](const auto& a, const auto& b) { return a->vm().name < b->vm().name; });
  for (const auto& session : sessions) ToSessionInfo(*session, *reply->add_sessions());
  return grpc::Status::OK;
}

grpc::Status ObserverService::ListProviders(grpc::ServerContext* /*context*/,
                                            const v1::ListProvidersRequest* request,
                                            v1::ListProvidersReply* reply) {
  if (absl::Status hello = wire::CheckHello(request->hello(), request->has_hello()); !hello.ok()) {
    return ToGrpcStatus(hello);
  }
  const auto routes = broker_.Routes();
  for (const auto& entry : broker_.Providers()) {
    v1::ProviderInfo* info = reply->add_providers();
    info->set_name(entry->name);
    info->set_kind(entry->kind);
    info->set_calls(entry->calls.load(std::memory_order_relaxed));
    for (const core::Route& route : routes->routes()) {
      if (route.provider == entry) ToRangeInfo(route, *info->add_ranges());
    }
    if (auto* remote = dynamic_cast<const providers::RemoteProvider*>(entry->provider.get())) {
      for (const base::PeerCredentials& peer : remote->Serving()) {
        ToPeerIdentity(peer, *info->add_serving());
      }
      ToExternalCallStats(remote->stats(), *info->mutable_external());
      info->mutable_external()->set_bad_results(entry->bad_results.load(std::memory_order_relaxed));
    }
  }
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::TraceEvent>* ObserverService::Trace(
    grpc::CallbackServerContext* context, const v1::TraceRequest* request) {
  if (absl::Status hello = wire::CheckHello(request->hello(), request->has_hello()); !hello.ok()) {
    return TraceStream::Refused(ToGrpcStatus(hello));
  }
  absl::StatusOr<std::shared_ptr<core::TraceWatcher>> watcher =
      broker_.trace().Watch(request->vm());
  if (!watcher.ok()) return TraceStream::Refused(ToGrpcStatus(watcher.status()));
  const std::optional<PeerCredentials> peer = peers_.Find(context->peer());
  return new TraceStream(
      broker_.trace(), *std::move(watcher),
      [this, peer](const core::TraceRecord& record, v1::TraceEvent& event) {
        // Asked per event, so a reload that takes the grant away applies at
        // once.
        if (grant_.SeesRegisters(peer)) return ToTraceEvent(record, event);
        core::TraceRecord withheld = record;
        core::WithholdRegisters(withheld);
        ToTraceEvent(withheld, event);
      },
      timer_, options_.trace, context);
}

}  // namespace hypercall::service
