// One VMM session stream (VmmService.Session): attach, answer with the
// session id and forwarding plan, then hold the session for the VM's life.
// When the VMM closes the stream or goes away the session ends, and with it
// every vCPU stream of the VM.
#ifndef HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/peer_credentials.h"
#include "core/broker.h"
#include "hypercall/v1/vmm.pb.h"
#include "service/stream_counter.h"

namespace hypercall::service {

class SessionStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                            private core::SessionListener {
 public:
  // Starts reading; the stream deletes itself when gRPC is done with it,
  // then tells `streams`.
  SessionStream(core::Broker& broker, StreamCounter& streams,
                std::optional<base::PeerCredentials> peer);

 private:
  ~SessionStream() = default;

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void OnSessionClosed(const absl::Status& reason) override;

  void HandleAttach(const v1::AttachRequest& attach);
  // Ends the session (if there is one) with `reason`, which in turn ends
  // this stream; without a session, ends the stream directly.
  void End(const absl::Status& reason);
  void EndStream(const absl::Status& status);
  // Starts the attached write or the finish, whichever is due.
  void Advance();

  core::Broker& broker_;
  // The VMM process, recorded on its session.
  const std::optional<base::PeerCredentials> peer_;
  StreamCounter& streams_;
  // Read buffer and the request parsed from it.
  grpc::ByteBuffer request_buffer_;
  v1::SessionRequest request_;
  // The attached event, serialized; owned by the write in progress.
  grpc::ByteBuffer event_buffer_;

  absl::Mutex mu_;
  std::shared_ptr<core::Session> session_ ABSL_GUARDED_BY(mu_);
  bool event_ready_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> end_status_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_
