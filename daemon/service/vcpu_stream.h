// One vCPU stream (VmmService.Vcpu), the hot path: open binds it to a vCPU
// of a live session, then each call is brokered through a core::VcpuChannel
// and its result written back. A protocol mistake (a call before open, a
// second call before the result, a malformed call, memory buffers that do
// not match the call's range) ends this stream alone
// with INVALID_ARGUMENT saying what to fix. The stream ends, after any call
// in flight is answered, when the client goes away or the session ends; a
// client that gives up (cancels or half-closes) frees its vCPU's slot at
// once, so its next stream for that vCPU opens while the abandoned call is
// still with its provider (whose late answer is dropped).
#ifndef HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/peer_credentials.h"
#include "core/broker.h"
#include "core/vcpu_channel.h"
#include "hypercall/v1/vmm.pb.h"
#include "service/bidi_stream.h"
#include "service/stream_counter.h"

namespace hypercall::service {

class VcpuStream final : public BidiStream<v1::VcpuRequest, v1::VcpuReply>,
                         private core::SessionListener,
                         private core::ResultSink {
 public:
  // Starts reading the stream of `peer` (nullopt: unknown); the stream
  // deletes itself when gRPC is done with it, then tells `streams`. Without
  // an open within `open_timeout` it ends.
  VcpuStream(core::Broker& broker, StreamCounter& streams, const OpenTimeout& open_timeout,
             std::optional<base::PeerCredentials> peer);

 private:
  ~VcpuStream() override = default;

  void OnRequest(const v1::VcpuRequest& request) override;
  void OnBadRequest(const absl::Status& status) override;
  // The client gave up: frees the slot, then ends the stream.
  void End(const absl::Status& reason) override;
  // Holds the finish until the call in flight is answered.
  bool MayFinishLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnStreamDone(const absl::Status& reason) override;
  void OnSessionClosed(const absl::Status& reason) override;
  void OnResult(uint64_t call_id, const smccc::Result& result) override;

  void HandleOpen(const v1::VcpuOpen& open) ABSL_LOCKS_EXCLUDED(mu_);
  void HandleCall(const v1::Call& call) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the stream for a protocol mistake of the VMM: counted and logged.
  void Refuse(const absl::Status& status);
  // Frees the vCPU's slot in its session, once.
  void ReleaseSlot() ABSL_LOCKS_EXCLUDED(mu_);

  core::Broker& broker_;
  const std::optional<base::PeerCredentials> peer_;
  // Set once by a successful open, before any call is accepted.
  std::unique_ptr<core::VcpuChannel> channel_;

  bool opened_ ABSL_GUARDED_BY(mu_) = false;
  // The vCPU's slot in the session is this stream's (set with opened_,
  // once channel_ is).
  bool holds_slot_ ABSL_GUARDED_BY(mu_) = false;
  bool call_in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_
