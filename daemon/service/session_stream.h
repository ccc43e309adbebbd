// One VMM session stream (VmmService.Session): attach, answer with the
// session id and forwarding plan, then hold the session for the VM's life.
// When the VMM closes the stream or goes away the session ends, and with it
// every vCPU stream of the VM.
#ifndef HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/peer_credentials.h"
#include "core/broker.h"
#include "hypercall/v1/vmm.pb.h"
#include "service/bidi_stream.h"
#include "service/stream_counter.h"

namespace hypercall::service {

class SessionStream final : public BidiStream<v1::SessionRequest, v1::SessionEvent>,
                            private core::SessionListener {
 public:
  // Starts reading; the stream deletes itself when gRPC is done with it,
  // then tells `streams`. Without an attach within `open_timeout` it ends.
  SessionStream(core::Broker& broker, StreamCounter& streams, const OpenTimeout& open_timeout,
                std::optional<base::PeerCredentials> peer);

 private:
  ~SessionStream() override = default;

  void OnRequest(const v1::SessionRequest& request) override;
  void OnBadRequest(const absl::Status& status) override;
  // Ends the session (if there is one) with `reason`, which in turn ends
  // this stream; without a session, ends the stream directly.
  void End(const absl::Status& reason) override;
  void OnStreamDone(const absl::Status& reason) override;
  void OnSessionClosed(const absl::Status& reason) override;

  void HandleAttach(const v1::AttachRequest& attach);

  core::Broker& broker_;
  // The VMM process, recorded on its session.
  const std::optional<base::PeerCredentials> peer_;

  std::shared_ptr<core::Session> session_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_SESSION_STREAM_H_
