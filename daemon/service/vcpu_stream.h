// One vCPU stream (VmmService.Vcpu), the hot path: open binds it to a vCPU
// of a live session, then each call is brokered through a core::VcpuChannel
// and its result written back. A protocol mistake (a call before open, a
// second call before the result, a malformed call, memory buffers that do
// not match the call's range) ends this stream alone
// with INVALID_ARGUMENT saying what to fix. The stream ends, after any call
// in flight is answered, when the client goes away or the session ends.
#ifndef HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/broker.h"
#include "core/vcpu_channel.h"
#include "hypercall/v1/vmm.pb.h"
#include "service/stream_counter.h"

namespace hypercall::service {

class VcpuStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                         private core::SessionListener,
                         private core::ResultSink {
 public:
  // Starts reading; the stream deletes itself when gRPC is done with it,
  // then tells `streams`.
  VcpuStream(core::Broker& broker, StreamCounter& streams);

 private:
  ~VcpuStream() = default;

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override ABSL_LOCKS_EXCLUDED(mu_);
  void OnCancel() override;
  void OnDone() override;
  void OnSessionClosed(const absl::Status& reason) override ABSL_LOCKS_EXCLUDED(mu_);
  void OnResult(uint64_t call_id, const smccc::Result& result) override ABSL_LOCKS_EXCLUDED(mu_);

  void HandleOpen(const v1::VcpuOpen& open) ABSL_LOCKS_EXCLUDED(mu_);
  void HandleCall(const v1::Call& call) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the stream for a protocol mistake of the VMM: counted and logged.
  void Refuse(const absl::Status& status);
  // Ends the stream with `status` once nothing is in flight; the first
  // reason given wins.
  void EndWith(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_);
  // Starts the next write or the finish, whichever is due.
  void Advance() ABSL_LOCKS_EXCLUDED(mu_);

  core::Broker& broker_;
  StreamCounter& streams_;
  // Read buffer and the request parsed from it; only touched by the one
  // read in progress.
  grpc::ByteBuffer request_buffer_;
  v1::VcpuRequest request_;
  // Set once by a successful open, before any call is accepted.
  std::unique_ptr<core::VcpuChannel> channel_;

  absl::Mutex mu_;
  bool opened_ ABSL_GUARDED_BY(mu_) = false;
  bool call_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // The reply being written: owned by the write in progress while writing_.
  grpc::ByteBuffer write_buffer_;
  // The next reply, waiting for that write.
  v1::VcpuReply queued_reply_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool queued_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> end_status_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_VCPU_STREAM_H_
