#include "service/session_stream.h"

#include "base/log.h"
#include "service/grpc_status.h"
#include "service/message_buffers.h"
#include "service/messages.h"
#include "wire/protocol.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

SessionStream::SessionStream(core::Broker& broker, StreamCounter& streams,
                             std::optional<base::PeerCredentials> peer)
    : broker_(broker), peer_(peer), streams_(streams) {
  StartRead(&request_buffer_);
}

void SessionStream::OnReadDone(bool ok) {
  if (!ok) {
    End(absl::OkStatus());
    return;
  }
  absl::Status parsed = ParseMessage(request_buffer_, request_);
  bool attached;
  {
    absl::MutexLock lock(&mu_);
    attached = session_ != nullptr;
  }
  if (!parsed.ok()) {
    End(parsed);
  } else if (attached) {
    End(absl::InvalidArgumentError(
        "unexpected SessionRequest after attach: protocol version 1 allows only one (attach)"));
  } else if (request_.has_attach()) {
    HandleAttach(request_.attach());
  } else {
    EndStream(absl::InvalidArgumentError("the first SessionRequest must be attach"));
  }
}

void SessionStream::HandleAttach(const v1::AttachRequest& attach) {
  if (absl::Status hello = wire::CheckHello(attach.hello(), attach.has_hello()); !hello.ok()) {
    EndStream(hello);
    return;
  }
  if (!attach.has_vm()) {
    EndStream(absl::InvalidArgumentError("attach.vm is missing: describe the VM"));
    return;
  }
  absl::StatusOr<std::shared_ptr<core::Session>> session =
      broker_.Attach(FromProto(attach.vm()), attach.hello().software(), this, peer_);
  if (!session.ok()) {
    EndStream(session.status());
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    session_ = *session;
    v1::SessionEvent event;
    v1::Attached* attached = event.mutable_attached();
    *attached->mutable_hello() = wire::MakeHelloReply(attach.hello());
    attached->set_session_id((*session)->id());
    ToPlan(**session, *attached->mutable_plan());
    SerializeMessage(event, event_buffer_);
    event_ready_ = true;
  }
  // Wait for the VMM to close the stream (or say something it must not).
  StartRead(&request_buffer_);
  Advance();
}

void SessionStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
  }
  if (!ok) End(absl::CancelledError("the VMM stopped reading its session stream"));
  Advance();
}

void SessionStream::OnCancel() { End(absl::CancelledError("the VMM went away")); }

void SessionStream::OnSessionClosed(const absl::Status& reason) {
  // Runs with the session's lock held: only mark and advance.
  EndStream(reason);
}

void SessionStream::OnDone() {
  std::shared_ptr<core::Session> session;
  {
    absl::MutexLock lock(&mu_);
    session = session_;
  }
  if (session != nullptr) {
    // Normally ended already; this covers a stream gRPC ended on its own.
    broker_.EndSession(*session, absl::CancelledError("the session stream ended"));
    session->DetachOwner();
  }
  StreamCounter& streams = streams_;
  delete this;
  streams.Ended();
}

void SessionStream::End(const absl::Status& reason) {
  std::shared_ptr<core::Session> session;
  {
    absl::MutexLock lock(&mu_);
    session = session_;
  }
  if (session != nullptr) {
    broker_.EndSession(*session, reason);  // Calls OnSessionClosed.
  } else {
    EndStream(reason);
  }
}

void SessionStream::EndStream(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (!end_status_.has_value()) end_status_ = status;
  }
  Advance();
}

void SessionStream::Advance() {
  enum class Step { kNone, kWrite, kFinish } step = Step::kNone;
  grpc::Status finish_status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    if (event_ready_ && !end_status_.has_value()) {
      event_ready_ = false;
      writing_ = true;
      step = Step::kWrite;
    } else if (end_status_.has_value()) {
      finished_ = true;
      finish_status = ToGrpcStatus(*end_status_);
      Log(LogLevel::kDebug, "session stream ends: %s", end_status_->ToString());
      step = Step::kFinish;
    }
  }
  if (step == Step::kWrite) StartWrite(&event_buffer_);
  if (step == Step::kFinish) Finish(finish_status);
}

}  // namespace hypercall::service
