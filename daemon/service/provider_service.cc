#include "service/provider_service.h"

#include "absl/strings/str_format.h"
#include "service/provider_stream.h"
#include "service/refused_stream.h"

namespace hypercall::service {

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ProviderService::Serve(
    grpc::CallbackServerContext* context) {
  std::optional<PeerCredentials> peer = peers_.Find(context->peer());
  if (peer.has_value() && !per_uid_.TryTake(peer->uid)) {
    return new RefusedStream(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrFormat("too many provider streams of uid %d (limit %d, "
                                     "limits.max_provider_streams_per_uid)",
                                     peer->uid, per_uid_.max_per_uid())));
  }
  if (!streams_.TryStart()) {
    if (peer.has_value()) per_uid_.Release(peer->uid);
    return new RefusedStream(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrFormat("too many provider streams (limit %d, limits.max_providers)",
                                     streams_.max_live())));
  }
  UidCounter* per_uid = peer.has_value() ? &per_uid_ : nullptr;
  return new ProviderStream(providers_, std::move(peer), max_queued_, max_queued_bytes_, streams_,
                            per_uid, open_timeout_);
}

}  // namespace hypercall::service
