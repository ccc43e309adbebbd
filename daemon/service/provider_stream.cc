#include "service/provider_stream.h"

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "base/rate_limited_log.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

ProviderStream::ProviderStream(ExternalProviderTable& providers,
                               std::optional<PeerCredentials> peer, size_t max_queued,
                               size_t max_queued_bytes, StreamCounter& streams, UidCounter* per_uid,
                               const OpenTimeout& open_timeout)
    : BidiStream(streams, {.name = "provider",
                           .max_queued = max_queued,
                           .max_queued_bytes = max_queued_bytes,
                           .on_end = BidiStreamOptions::OnEnd::kDropQueued,
                           .stopped_reading = "the provider stopped reading its stream",
                           .cancelled = "the provider cancelled its stream"}),
      providers_(providers),
      peer_(peer),
      per_uid_(per_uid) {
  ArmOpenDeadline(open_timeout, "hello");
}

void ProviderStream::OnRequest(const v1::ProviderMessage& message) {
  if (message.kind_case() == v1::ProviderMessage::KIND_NOT_SET) {
    Refuse(absl::InvalidArgumentError("empty ProviderMessage: set hello, claim or result"));
    return;
  }
  if (message.has_hello() != !provider_.has_value()) {
    Refuse(absl::InvalidArgumentError(
        provider_.has_value()
            ? "hello sent twice: after it, send claims and results only"
            : "the first ProviderMessage must be hello (protocol version and provider name)"));
    return;
  }
  switch (message.kind_case()) {
    case v1::ProviderMessage::kHello:
      HandleHello(message.hello());
      break;
    case v1::ProviderMessage::kClaim:
      HandleClaim(message.claim());
      break;
    default:
      HandleResult(message.result());
      break;
  }
}

void ProviderStream::OnBadRequest(const absl::Status& status) { Refuse(status); }

void ProviderStream::HandleHello(const v1::ProviderHello& hello) {
  if (absl::Status status = wire::CheckHello(hello.hello(), hello.has_hello()); !status.ok()) {
    EndWith(status);
    return;
  }
  if (!peer_.has_value()) {
    EndWith(absl::PermissionDeniedError(
        "the daemon cannot tell who this process is: connect through the provider socket"));
    return;
  }
  absl::StatusOr<ExternalProvider> provider = providers_.Authorize(hello.name(), *peer_, this);
  if (!provider.ok()) {
    static daemon::RateLimitedLog refused_log(10);
    refused_log.Log(LogLevel::kWarning, "provider stream of %s refused: %s", DescribePeer(*peer_),
                    daemon::Escaped(std::string(provider.status().message())));
    EndWith(provider.status());
    return;
  }
  provider_ = std::move(*provider);
  who_ = DescribePeer(*peer_);
  connection_ = provider_->provider->Connect(*this, *peer_);
  Log(LogLevel::kInfo, "provider %s connected: %s (%s)", provider_->entry->name, who_,
      daemon::Escaped(hello.hello().software()));
  v1::DaemonMessage reply;
  *reply.mutable_hello() = wire::MakeHelloReply(hello.hello());
  Send(std::move(reply));
  ReadNext();
}

void ProviderStream::HandleClaim(const v1::Claim& wire_claim) {
  v1::DaemonMessage reply;
  v1::ClaimReply& claim_reply = *reply.mutable_claim_reply();
  *claim_reply.mutable_claim() = wire_claim;
  absl::StatusOr<smccc::RangeClaim> claim = wire::FromProto(wire_claim);
  const absl::Status status =
      claim.ok() ? provider_->provider->Claim(connection_, *claim) : claim.status();
  claim_reply.set_granted(status.ok());
  claim_reply.set_reason(std::string(status.message()));
  static daemon::RateLimitedLog claim_log(20);
  claim_log.Log(
      status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "provider %s (%s): claim %s %s%s",
      provider_->entry->name, who_,
      claim.ok() ? smccc::DescribeRange(claim->range)
                 : absl::StrFormat("0x%08x+%u", wire_claim.first_function_id(), wire_claim.count()),
      status.ok() ? "granted" : "refused: ", status.message());
  Send(std::move(reply));
  ReadNext();
}

void ProviderStream::HandleResult(const v1::Result& wire_result) {
  absl::StatusOr<smccc::Result> result = wire::FromProto(wire_result);
  if (!result.ok()) {
    Refuse(absl::InvalidArgumentError(absl::StrFormat(
        "malformed result for call %d: %s", wire_result.call_id(), result.status().message())));
    return;
  }
  if (!provider_->provider->Answer(connection_, wire_result.call_id(), *result)) {
    static daemon::RateLimitedLog stray_log(10);
    stray_log.Log(
        LogLevel::kWarning,
        "provider %s (%s): dropped the result for call %d: not asked, answered already, or past "
        "its deadline",
        provider_->entry->name, who_, wire_result.call_id());
  }
  ReadNext();
}

bool ProviderStream::SendCall(uint64_t call_id, const provider::CallContext& context,
                              const smccc::Call& call, std::chrono::nanoseconds deadline) {
  v1::DaemonMessage message;
  v1::ForwardedCall& forwarded = *message.mutable_call();
  wire::ToProto(call, *forwarded.mutable_call());
  forwarded.mutable_call()->set_call_id(call_id);
  forwarded.mutable_call()->set_vm(std::string(context.vm));
  forwarded.mutable_call()->set_vcpu(context.vcpu);
  forwarded.mutable_call()->set_stolen_time_record(context.stolen_time_record);
  forwarded.set_deadline_nanos(deadline.count());
  bool queued;
  {
    absl::MutexLock lock(&mu_);
    queued = QueueLocked(std::move(message));
    if (queued) queued_deadlines_[call_id] = std::chrono::steady_clock::now() + deadline;
  }
  Advance();
  return queued;
}

bool ProviderStream::DropAtDequeueLocked(v1::DaemonMessage& message) {
  if (!message.has_call()) return false;
  auto it = queued_deadlines_.find(message.call().call().call_id());
  if (it == queued_deadlines_.end()) return false;
  const std::chrono::nanoseconds left = it->second - std::chrono::steady_clock::now();
  queued_deadlines_.erase(it);
  if (left.count() > 0) {
    message.mutable_call()->set_deadline_nanos(left.count());
    return false;
  }
  provider_->provider->CountExpiredInQueue();
  Log(LogLevel::kDebug,
      "provider %s (%s): call %d dropped unsent, its deadline passed in the queue",
      provider_->entry->name, who_, message.call().call().call_id());
  return true;
}

bool ProviderStream::SendVmDetached(std::string_view vm) {
  v1::DaemonMessage message;
  message.mutable_vm_detached()->set_vm(std::string(vm));
  return Send(std::move(message));
}

void ProviderStream::GiveUp(const absl::Status& reason) { EndWith(reason); }

// May come before HandleHello has finished with provider_: touches only
// what the base guards.
void ProviderStream::EndServing(const absl::Status& status) { EndWith(status); }

void ProviderStream::OnStreamDone(const absl::Status& /*reason*/) {
  if (per_uid_ != nullptr) per_uid_->Release(peer_->uid);
  providers_.Unwatch(this);
  if (connection_ != nullptr) {
    provider_->provider->Disconnect(connection_);
    Log(LogLevel::kInfo, "provider %s disconnected: %s; its ranges are free",
        provider_->entry->name, who_);
  }
}

void ProviderStream::Refuse(const absl::Status& status) {
  static daemon::RateLimitedLog protocol_error_log(10);
  protocol_error_log.Log(LogLevel::kWarning, "provider stream of %s: %s",
                         peer_.has_value() ? DescribePeer(*peer_) : std::string("unknown peer"),
                         daemon::Escaped(status.ToString()));
  EndWith(status);
}

}  // namespace hypercall::service
