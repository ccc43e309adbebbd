#include "service/vmm_service.h"

#include "absl/strings/str_format.h"
#include "service/refused_stream.h"
#include "service/session_stream.h"
#include "service/vcpu_stream.h"

namespace hypercall::service {
namespace {

grpc::Status TooManyStreams(int limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrFormat("too many VMM streams (limit %d): close some first", limit));
}

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* VmmService::Session(
    grpc::CallbackServerContext* context) {
  if (!streams_.TryStart()) {
    return new RefusedStream(TooManyStreams(streams_.max_live()));
  }
  return new SessionStream(broker_, streams_, open_timeout_, peers_.Find(context->peer()));
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* VmmService::Vcpu(
    grpc::CallbackServerContext* context) {
  if (!streams_.TryStart()) {
    return new RefusedStream(TooManyStreams(streams_.max_live()));
  }
  return new VcpuStream(broker_, streams_, open_timeout_, peers_.Find(context->peer()));
}

}  // namespace hypercall::service
