#include "service/provider_service.h"

#include "absl/strings/str_format.h"
#include "service/provider_stream.h"
#include "service/refused_stream.h"

namespace hypercall::service {

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ProviderService::Serve(
    grpc::CallbackServerContext* context) {
  if (!streams_.TryStart()) {
    return new RefusedStream(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrFormat("too many provider streams (limit %d)", streams_.max_live())));
  }
  return new ProviderStream(providers_, peers_.Find(context->peer()), max_queued_,
                            max_queued_bytes_, streams_, open_timeout_);
}

}  // namespace hypercall::service
