// A bidi stream refused before it starts (e.g. over a stream limit): it
// finishes at once with the given status and deletes itself.
#ifndef HYPERCALL_DAEMON_SERVICE_REFUSED_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_REFUSED_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

namespace hypercall::service {

class RefusedStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_REFUSED_STREAM_H_
