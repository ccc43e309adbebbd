// The provider role's gRPC service: one ProviderStream per process serving
// an external provider.
#ifndef HYPERCALL_DAEMON_SERVICE_PROVIDER_SERVICE_H_
#define HYPERCALL_DAEMON_SERVICE_PROVIDER_SERVICE_H_

#include "hypercall/v1/provider.grpc.pb.h"
#include "service/external_providers.h"
#include "service/open_deadline.h"
#include "service/peer_directory.h"
#include "service/stream_counter.h"
#include "service/uid_counter.h"

namespace hypercall::service {

// A raw byte-buffer method: the stream parses each message itself (see
// message_buffers.h).
class ProviderService final
    : public v1::ProviderService::WithRawCallbackMethod_Serve<v1::ProviderService::Service> {
 public:
  // `providers` and `peers` must outlive the service and its streams. At
  // most `max_streams` streams run at once, and `max_streams_per_uid` of
  // processes of one uid; more are refused with RESOURCE_EXHAUSTED. Each
  // stream queues at most `max_queued` messages of `max_queued_bytes`
  // together, and ends without a hello within `open_timeout`.
  ProviderService(ExternalProviderTable& providers, const PeerDirectory& peers, int max_streams,
                  int max_streams_per_uid, size_t max_queued, size_t max_queued_bytes,
                  const OpenTimeout& open_timeout)
      : providers_(providers),
        peers_(peers),
        streams_(max_streams),
        per_uid_(max_streams_per_uid),
        max_queued_(max_queued),
        max_queued_bytes_(max_queued_bytes),
        open_timeout_(open_timeout) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Serve(
      grpc::CallbackServerContext* context) override;

 private:
  ExternalProviderTable& providers_;
  const PeerDirectory& peers_;
  StreamCounter streams_;
  UidCounter per_uid_;
  const size_t max_queued_;
  const size_t max_queued_bytes_;
  const OpenTimeout open_timeout_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_PROVIDER_SERVICE_H_
