#include "service/vmm_service.h"

#include "absl/strings/str_format.h"
#include "service/session_stream.h"
#include "service/vcpu_stream.h"

namespace hypercall::service {
namespace {

// A stream refused before it starts: finishes at once with `status`.
class RefusedStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

grpc::Status TooManyStreams(int limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrFormat("too many VMM streams (limit %d): close some first", limit));
}

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* VmmService::Session(
    grpc::CallbackServerContext* /*context*/) {
  if (!streams_.TryStart()) {
    return new RefusedStream(TooManyStreams(streams_.max_live()));
  }
  return new SessionStream(broker_, streams_);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* VmmService::Vcpu(
    grpc::CallbackServerContext* /*context*/) {
  if (!streams_.TryStart()) {
    return new RefusedStream(TooManyStreams(streams_.max_live()));
  }
  return new VcpuStream(broker_, streams_);
}

}  // namespace hypercall::service
