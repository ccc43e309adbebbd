#include "service/provider_stream.h"

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "service/grpc_status.h"
#include "service/message_buffers.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

ProviderStream::ProviderStream(ExternalProviderTable& providers,
                               std::optional<PeerCredentials> peer, size_t max_queued,
                               StreamCounter& streams)
    : providers_(providers), peer_(peer), max_queued_(max_queued), streams_(streams) {
  StartRead(&read_buffer_);
}

void ProviderStream::OnReadDone(bool ok) {
  if (!ok) {
    EndWith(absl::OkStatus());
    return;
  }
  if (absl::Status parsed = ParseMessage(read_buffer_, message_); !parsed.ok()) {
    Refuse(parsed);
    return;
  }
  if (message_.kind_case() == v1::ProviderMessage::KIND_NOT_SET) {
    Refuse(absl::InvalidArgumentError("empty ProviderMessage: set hello, claim or result"));
    return;
  }
  if (message_.has_hello() != !provider_.has_value()) {
    Refuse(absl::InvalidArgumentError(
        provider_.has_value()
            ? "hello sent twice: after it, send claims and results only"
            : "the first ProviderMessage must be hello (protocol version and provider name)"));
    return;
  }
  switch (message_.kind_case()) {
    case v1::ProviderMessage::kHello:
      HandleHello(message_.hello());
      break;
    case v1::ProviderMessage::kClaim:
      HandleClaim(message_.claim());
      break;
    default:
      HandleResult(message_.result());
      break;
  }
}

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
    Log(LogLevel::kWarning, "provider stream of %s refused: %s", DescribePeer(*peer_),
        provider.status().message());
    EndWith(provider.status());
    return;
  }
  provider_ = std::move(*provider);
  who_ = DescribePeer(*peer_);
  connection_ = provider_->provider->Connect(*this, *peer_);
  Log(LogLevel::kInfo, "provider %s connected: %s (%s)", provider_->entry->name, who_,
      hello.hello().software());
  v1::DaemonMessage reply;
  *reply.mutable_hello() = wire::MakeHelloReply(hello.hello());
  Queue(std::move(reply));
  StartRead(&read_buffer_);
  Advance();
}

void ProviderStream::HandleClaim(const v1::Claim& wire_claim) {
  v1::DaemonMessage reply;
  v1::ClaimReply& claim_reply = *reply.mutable_claim_reply();
  *claim_reply.mutable_claim() = wire_claim;
  const uint64_t last = uint64_t{wire_claim.first_function_id()} + wire_claim.count() - 1;
  absl::Status status;
  if (wire_claim.count() == 0) {
    status = absl::InvalidArgumentError("count is 0: a claim names at least one function ID");
  } else if (last > 0xffffffffu) {
    status = absl::InvalidArgumentError("first_function_id + count runs past 0xFFFFFFFF");
  } else if ((wire_claim.args_read_mask() & ~smccc::kAllArgRegisters) != 0) {
    status = absl::InvalidArgumentError(absl::StrFormat(
        "args_read_mask 0x%x names registers outside x1..x17", wire_claim.args_read_mask()));
  } else if (absl::StatusOr<std::vector<smccc::MemoryOperand>> memory =
                 wire::FromProto(wire_claim.memory());
             !memory.ok()) {
    status = memory.status();
  } else {
    status = provider_->provider->Claim(
        connection_, {{wire_claim.first_function_id(), static_cast<uint32_t>(last)},
                      wire_claim.args_read_mask(),
                      *std::move(memory)});
  }
  claim_reply.set_granted(status.ok());
  claim_reply.set_reason(std::string(status.message()));
  Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning,
      "provider %s (%s): claim 0x%08x-0x%08x %s%s", provider_->entry->name, who_,
      wire_claim.first_function_id(), static_cast<uint32_t>(last),
      status.ok() ? "granted" : "refused: ", status.message());
  Queue(std::move(reply));
  StartRead(&read_buffer_);
  Advance();
}

void ProviderStream::HandleResult(const v1::Result& wire_result) {
  absl::StatusOr<smccc::Result> result = wire::FromProto(wire_result);
  if (!result.ok()) {
    Refuse(absl::InvalidArgumentError(absl::StrFormat(
        "malformed result for call %d: %s", wire_result.call_id(), result.status().message())));
    return;
  }
  if (!provider_->provider->Answer(connection_, wire_result.call_id(), *result)) {
    Log(LogLevel::kWarning,
        "provider %s (%s): dropped the result for call %d: not asked, answered already, or past "
        "its deadline",
        provider_->entry->name, who_, wire_result.call_id());
  }
  StartRead(&read_buffer_);
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
  if (!Queue(std::move(message))) return false;
  Advance();
  return true;
}

bool ProviderStream::SendVmDetached(std::string_view vm) {
  v1::DaemonMessage message;
  message.mutable_vm_detached()->set_vm(std::string(vm));
  if (!Queue(std::move(message))) return false;
  Advance();
  return true;
}

bool ProviderStream::Queue(v1::DaemonMessage message) {
  absl::MutexLock lock(&mu_);
  if (end_status_.has_value() || queue_.size() >= max_queued_) return false;
  queue_.push_back(std::move(message));
  return true;
}

void ProviderStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
  }
  if (!ok) EndWith(absl::CancelledError("the provider stopped reading its stream"));
  Advance();
}

void ProviderStream::OnCancel() {
  EndWith(absl::CancelledError("the provider cancelled its stream"));
}

// May come before HandleHello has finished with provider_: touches only
// what EndWith guards.
void ProviderStream::EndServing(const absl::Status& status) { EndWith(status); }

void ProviderStream::OnDone() {
  providers_.Unwatch(this);
  if (connection_ != nullptr) {
    provider_->provider->Disconnect(connection_);
    Log(LogLevel::kInfo, "provider %s disconnected: %s; its ranges are free",
        provider_->entry->name, who_);
  }
  StreamCounter& streams = streams_;
  delete this;
  streams.Ended();
}

void ProviderStream::Refuse(const absl::Status& status) {
  Log(LogLevel::kWarning, "provider stream of %s: %s",
      peer_.has_value() ? DescribePeer(*peer_) : std::string("unknown peer"), status.ToString());
  EndWith(status);
}

void ProviderStream::EndWith(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (end_status_.has_value()) return;
    end_status_ = status;
    // Calls not yet written are answered NOT_SUPPORTED when the stream is
    // done (Disconnect); nothing more goes out.
    queue_.clear();
  }
  Advance();
}

void ProviderStream::Advance() {
  enum class Step { kNone, kWrite, kFinish } step = Step::kNone;
  grpc::Status finish_status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    if (!queue_.empty()) {
      SerializeMessage(queue_.front(), write_buffer_);
      queue_.pop_front();
      writing_ = true;
      step = Step::kWrite;
    } else if (end_status_.has_value()) {
      finished_ = true;
      finish_status = ToGrpcStatus(*end_status_);
      step = Step::kFinish;
    }
  }
  if (step == Step::kWrite) StartWrite(&write_buffer_);
  if (step == Step::kFinish) Finish(finish_status);
}

}  // namespace hypercall::service
