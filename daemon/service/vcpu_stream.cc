#include "service/vcpu_stream.h"

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "service/grpc_status.h"
#include "service/message_buffers.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

VcpuStream::VcpuStream(core::Broker& broker, StreamCounter& streams)
    : broker_(broker), streams_(streams) {
  StartRead(&request_buffer_);
}

void VcpuStream::OnReadDone(bool ok) {
  if (!ok) {
    // The client half-closed or went away: end once the call in flight is
    // answered.
    EndWith(absl::OkStatus());
    return;
  }
  if (absl::Status parsed = ParseMessage(request_buffer_, request_); !parsed.ok()) {
    Refuse(parsed);
    return;
  }
  switch (request_.kind_case()) {
    case v1::VcpuRequest::kOpen:
      HandleOpen(request_.open());
      break;
    case v1::VcpuRequest::kCall:
      HandleCall(request_.call());
      break;
    default:
      Refuse(absl::InvalidArgumentError("empty VcpuRequest: set open or call"));
      break;
  }
}

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
  if (absl::Status status = broker_.OpenVcpu(**session, open.vcpu_index(), this); !status.ok()) {
    EndWith(status);
    return;
  }
  core::ResultSink& sink = *this;
  channel_ = std::make_unique<core::VcpuChannel>(broker_, *session, open.vcpu_index(), sink);
  Log(LogLevel::kDebug, "session %s: vCPU %d stream open", (*session)->id(), open.vcpu_index());
  {
    absl::MutexLock lock(&mu_);
    opened_ = true;
    *queued_reply_.mutable_opened()->mutable_hello() = wire::MakeHelloReply(open.hello());
    queued_ = true;
  }
  StartRead(&request_buffer_);
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
    } else if (call_in_flight_ || queued_) {
      refused = absl::InvalidArgumentError(absl::StrFormat(
          "call %d arrived before the result of the previous call: a vCPU has at most one call "
          "in flight, send the next only after its result",
          call_id));
    } else if (!call.ok()) {
      refused = absl::InvalidArgumentError(
          absl::StrFormat("malformed call %d: %s", call_id, call.status().message()));
    } else if (end_status_.has_value()) {
      return;  // Ending: no new calls, and no new read.
    } else {
      call_in_flight_ = true;
    }
  }
  if (!refused.ok()) {
    Refuse(refused);
    return;
  }
  StartRead(&request_buffer_);
  if (absl::Status submitted = channel_->Submit(call_id, *call); !submitted.ok()) {
    refused = absl::InvalidArgumentError(absl::StrFormat("malformed call %d (function 0x%08x): %s",
                                                         call_id, call->function_id,
                                                         submitted.message()));
    {
      // Ends the stream in the same step, so the read just started cannot
      // slip another call in.
      absl::MutexLock lock(&mu_);
      call_in_flight_ = false;
      if (!end_status_.has_value()) end_status_ = refused;
    }
    Refuse(refused);
  }
}

void VcpuStream::OnResult(uint64_t call_id, const smccc::Result& result) {
  {
    absl::MutexLock lock(&mu_);
    call_in_flight_ = false;
    v1::Result* reply = queued_reply_.mutable_result();
    wire::ToProto(result, *reply);
    reply->set_call_id(call_id);
    queued_ = true;
  }
  Advance();
}

void VcpuStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
  }
  if (!ok) EndWith(absl::CancelledError("the VMM stopped reading its vCPU stream"));
  Advance();
}

void VcpuStream::OnCancel() { EndWith(absl::CancelledError("the VMM cancelled its vCPU stream")); }

void VcpuStream::OnSessionClosed(const absl::Status& reason) {
  // Runs with the session's lock held: only mark and advance.
  EndWith(reason.ok() ? absl::AbortedError("the session ended: its VMM closed the session stream")
                      : reason);
}

void VcpuStream::OnDone() {
  if (channel_ != nullptr) {
    Log(LogLevel::kDebug, "session %s: vCPU %d stream closed", channel_->session().id(),
        channel_->vcpu());
    broker_.CloseVcpu(channel_->session(), channel_->vcpu());
  }
  StreamCounter& streams = streams_;
  delete this;
  streams.Ended();
}

void VcpuStream::Refuse(const absl::Status& status) {
  broker_.CountProtocolError();
  if (channel_ != nullptr) {
    Log(LogLevel::kWarning, "session %s vCPU %d: %s", channel_->session().id(), channel_->vcpu(),
        status.ToString());
  } else {
    Log(LogLevel::kWarning, "vCPU stream before open: %s", status.ToString());
  }
  EndWith(status);
}

void VcpuStream::EndWith(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (!end_status_.has_value()) end_status_ = status;
  }
  Advance();
}

void VcpuStream::Advance() {
  enum class Step { kNone, kWrite, kFinish } step = Step::kNone;
  grpc::Status finish_status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    if (queued_) {
      SerializeMessage(queued_reply_, write_buffer_);
      queued_ = false;
      writing_ = true;
      step = Step::kWrite;
    } else if (end_status_.has_value() && !call_in_flight_) {
      finished_ = true;
      finish_status = ToGrpcStatus(*end_status_);
      Log(LogLevel::kDebug, "vCPU stream ends: %s", end_status_->ToString());
      step = Step::kFinish;
    }
  }
  // gRPC never runs a reaction inline in StartWrite or Finish, and only one
  // thread at a time gets here with a step to take (writing_/finished_).
  if (step == Step::kWrite) StartWrite(&write_buffer_);
  if (step == Step::kFinish) Finish(finish_status);
}

}  // namespace hypercall::service
