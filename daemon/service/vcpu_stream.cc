#include "service/vcpu_stream.h"

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "base/rate_limited_log.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

// The client half-closing or going away ends the stream (the base's End)
// once the call in flight is answered.
VcpuStream::VcpuStream(core::Broker& broker, StreamCounter& streams,
                       const OpenTimeout& open_timeout, std::optional<base::PeerCredentials> peer)
    : BidiStream(streams, {.name = "vCPU",
                           // One call in flight: only its result, or the opened reply, waits.
                           .max_queued = 1,
                           .on_end = BidiStreamOptions::OnEnd::kWriteQueued,
                           .stopped_reading = "the VMM stopped reading its vCPU stream",
                           .cancelled = "the VMM cancelled its vCPU stream"}),
      broker_(broker),
      peer_(std::move(peer)) {
  ArmOpenDeadline(open_timeout, "open");
}

void VcpuStream::OnRequest(const v1::VcpuRequest& request) {
  switch (request.kind_case()) {
    case v1::VcpuRequest::kOpen:
      HandleOpen(request.open());
      break;
    case v1::VcpuRequest::kCall:
      HandleCall(request.call());
      break;
    default:
      Refuse(absl::InvalidArgumentError("empty VcpuRequest: set open or call"));
      break;
  }
}

void VcpuStream::OnBadRequest(const absl::Status& status) { Refuse(status); }

bool VcpuStream::MayFinishLocked() const { return !call_in_flight_; }

void VcpuStream::HandleOpen(const v1::VcpuOpen& open) {
  bool already_open;
  {
    absl::MutexLock lock(&mu_);
    already_open = opened_;
  }
  if (already_open) {
    Refuse(absl::InvalidArgumentError("the vCPU stream is already open: send calls only"));
    return;
  }
  if (absl::Status hello = wire::CheckHello(open.hello(), open.has_hello()); !hello.ok()) {
    EndWith(hello);
    return;
  }
  absl::StatusOr<std::shared_ptr<core::Session>> session = broker_.FindSession(open.session_id());
  if (!session.ok()) {
    EndWith(session.status());
    return;
  }
  if (absl::Status status = broker_.OpenVcpu(**session, open.vcpu_index(), this, peer_);
      !status.ok()) {
    if (absl::IsPermissionDenied(status)) {
      static daemon::RateLimitedLog refused_log(10);
      refused_log.Log(
          LogLevel::kWarning, "refused a vCPU stream of session %s (VM %s, attached by %s) from %s",
          (*session)->id(), daemon::Escaped((*session)->vm().name),
          base::DescribePeer(*(*session)->peer()),
          peer_.has_value() ? base::DescribePeer(*peer_) : std::string("an unknown peer"));
    }
    EndWith(status);
    return;
  }
  core::ResultSink& sink = *this;
  channel_ = std::make_unique<core::VcpuChannel>(broker_, *session, open.vcpu_index(), sink);
  Log(LogLevel::kDebug, "session %s: vCPU %d stream open", (*session)->id(), open.vcpu_index());
  {
    absl::MutexLock lock(&mu_);
    opened_ = true;
    holds_slot_ = true;
    v1::VcpuReply reply;
    *reply.mutable_opened()->mutable_hello() = wire::MakeHelloReply(open.hello());
    QueueLocked(std::move(reply));
  }
  ReadNext();
  Advance();
}

void VcpuStream::HandleCall(const v1::Call& wire_call) {
  const uint64_t call_id = wire_call.call_id();
  absl::StatusOr<smccc::Call> call = wire::FromProto(wire_call);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!opened_) {
      refused = absl::InvalidArgumentError(
          "call before open: the first VcpuRequest must be open (session_id, vcpu_index)");
    } else if (call_in_flight_ || QueuedLocked() > 0) {
      refused = absl::InvalidArgumentError(absl::StrFormat(
          "call %d arrived before the result of the previous call: a vCPU has at most one call "
          "in flight, send the next only after its result",
          call_id));
    } else if (!call.ok()) {
      refused = absl::InvalidArgumentError(
          absl::StrFormat("malformed call %d: %s", call_id, call.status().message()));
    } else if (EndingLocked()) {
      return;  // Ending: no new calls, and no new read.
    } else {
      call_in_flight_ = true;
    }
  }
  if (!refused.ok()) {
    Refuse(refused);
    return;
  }
  ReadNext();
  if (absl::Status submitted = channel_->Submit(call_id, *call); !submitted.ok()) {
    refused = absl::InvalidArgumentError(absl::StrFormat("malformed call %d (function 0x%08x): %s",
                                                         call_id, call->function_id,
                                                         submitted.message()));
    {
      // Ends the stream in the same step, so the read just started cannot
      // slip another call in.
      absl::MutexLock lock(&mu_);
      call_in_flight_ = false;
      EndWithLocked(refused);
    }
    Refuse(refused);
  }
}

void VcpuStream::OnResult(uint64_t call_id, const smccc::Result& result) {
  {
    absl::MutexLock lock(&mu_);
    call_in_flight_ = false;
    v1::VcpuReply reply;
    v1::Result* wire_result = reply.mutable_result();
    wire::ToProto(result, *wire_result);
    wire_result->set_call_id(call_id);
    QueueLocked(std::move(reply));
  }
  Advance();
}

void VcpuStream::OnSessionClosed(const absl::Status& reason) {
  // Runs with the session's lock held: only mark and advance.
  EndWith(reason.ok() ? absl::AbortedError("the session ended: its VMM closed the session stream")
                      : reason);
}

void VcpuStream::End(const absl::Status& reason) {
  ReleaseSlot();
  EndWith(reason);
}

void VcpuStream::OnStreamDone(const absl::Status& /*reason*/) { ReleaseSlot(); }

void VcpuStream::ReleaseSlot() {
  {
    absl::MutexLock lock(&mu_);
    if (!holds_slot_) return;
    holds_slot_ = false;
  }
  Log(LogLevel::kDebug, "session %s: vCPU %d stream closed", channel_->session().id(),
      channel_->vcpu());
  broker_.CloseVcpu(channel_->session(), channel_->vcpu());
}

void VcpuStream::Refuse(const absl::Status& status) {
  broker_.CountProtocolError();
  static daemon::RateLimitedLog protocol_error_log(10);
  if (channel_ != nullptr) {
    protocol_error_log.Log(LogLevel::kWarning, "session %s vCPU %d: %s", channel_->session().id(),
                           channel_->vcpu(), daemon::Escaped(status.ToString()));
  } else {
    protocol_error_log.Log(LogLevel::kWarning, "vCPU stream before open: %s",
                           daemon::Escaped(status.ToString()));
  }
  EndWith(status);
}

}  // namespace hypercall::service
