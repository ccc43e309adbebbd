#include "service/session_stream.h"

#include <chrono>

#include "base/log.h"
#include "service/messages.h"
#include "wire/protocol.h"

namespace hypercall::service {

SessionStream::SessionStream(core::Broker& broker, StreamCounter& streams,
                             const OpenTimeout& open_timeout,
                             std::optional<base::PeerCredentials> peer)
    : BidiStream(streams, {.name = "session",
                           .max_queued = 1,  // The attached event, once.
                           .on_end = BidiStreamOptions::OnEnd::kDropQueued,
                           .stopped_reading = "the VMM stopped reading its session stream",
                           .cancelled = "the VMM went away"}),
      broker_(broker),
      peer_(peer) {
  ArmOpenDeadline(open_timeout, "attach");
}

void SessionStream::OnRequest(const v1::SessionRequest& request) {
  bool attached;
  {
    absl::MutexLock lock(&mu_);
    attached = session_ != nullptr;
  }
  if (attached) {
    End(absl::InvalidArgumentError(
        "unexpected SessionRequest after attach: protocol version 1 allows only one (attach)"));
  } else if (request.has_attach()) {
    HandleAttach(request.attach());
  } else {
    EndWith(absl::InvalidArgumentError("the first SessionRequest must be attach"));
  }
}

void SessionStream::OnBadRequest(const absl::Status& status) { End(status); }

void SessionStream::HandleAttach(const v1::AttachRequest& attach) {
  if (absl::Status hello = wire::CheckHello(attach.hello(), attach.has_hello()); !hello.ok()) {
    EndWith(hello);
    return;
  }
  if (!attach.has_vm()) {
    EndWith(absl::InvalidArgumentError("attach.vm is missing: describe the VM"));
    return;
  }
  std::optional<std::vector<core::HeldRange>> held;
  if (attach.has_held_plan()) {
    absl::StatusOr<std::vector<core::HeldRange>> ranges = HeldFromProto(attach.held_plan());
    if (!ranges.ok()) {
      EndWith(ranges.status());
      return;
    }
    held = *std::move(ranges);
  }
  absl::StatusOr<std::shared_ptr<core::Session>> session =
      broker_.Attach(FromProto(attach.vm()), attach.hello().software(), this, peer_, held);
  if (!session.ok()) {
    EndWith(session.status());
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
    ToRefused(**session, *attached);
    attached->set_call_deadline_ms(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(broker_.call_deadline()).count()));
    QueueLocked(std::move(event));
  }
  // Wait for the VMM to close the stream (or say something it must not).
  ReadNext();
  Advance();
}

void SessionStream::OnSessionClosed(const absl::Status& reason) {
  // Runs with the session's lock held: only mark and advance.
  EndWith(reason);
}

void SessionStream::OnStreamDone(const absl::Status& /*reason*/) {
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
    EndWith(reason);
  }
}

}  // namespace hypercall::service
