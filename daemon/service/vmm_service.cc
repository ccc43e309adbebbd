#include "service/vmm_service.h"

#include "absl/strings/str_format.h"
#include "service/session_stream.h"
#include "service/vcpu_stream.h"

namespace hypercall::service {
namespace {

// A stream refused before it starts: finishes at once with `status`.
template <typename Request, typename Response>
class RefusedStream final : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

grpc::Status TooManyStreams(int limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrFormat("too many VMM streams (limit %d): close some first", limit));
}

}  // namespace

grpc::ServerBidiReactor<v1::SessionRequest, v1::SessionEvent>* VmmService::Session(
    grpc::CallbackServerContext* /*context*/) {
  if (!streams_.TryStart()) {
    return new RefusedStream<v1::SessionRequest, v1::SessionEvent>(
        TooManyStreams(streams_.max_live()));
  }
  return new SessionStream(broker_, streams_);
}

grpc::ServerBidiReactor<v1::VcpuRequest, v1::VcpuReply>* VmmService::Vcpu(
    grpc::CallbackServerContext* /*context*/) {
  if (!streams_.TryStart()) {
    return new RefusedStream<v1::VcpuRequest, v1::VcpuReply>(TooManyStreams(streams_.max_live()));
  }
  return new VcpuStream(broker_, streams_);
}

}  // namespace hypercall::service
