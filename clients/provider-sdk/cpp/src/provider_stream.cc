#include "provider_stream.h"

#include "absl/strings/str_format.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::provider {
namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

ProviderStream::ProviderStream(const std::string& target)
    : stub_(v1::ProviderService::NewStub(OpenChannel(target))), stream_(stub_->Serve(&context_)) {}

ProviderStream::~ProviderStream() {
  if (!finished_) {
    context_.TryCancel();
    Finish().IgnoreError();
  }
}

absl::Status ProviderStream::Hello(const std::string& name, const std::string& software) {
  v1::ProviderMessage hello;
  *hello.mutable_hello()->mutable_hello() = wire::MakeHello(software);
  hello.mutable_hello()->set_name(name);
  v1::DaemonMessage reply;
  if (!Write(hello) || !Read(reply)) {
    absl::Status status = Finish();
    return status.ok() ? absl::UnavailableError("the daemon closed the stream after hello")
                       : status;
  }
  if (!reply.has_hello()) return absl::InternalError("the daemon's first message is no hello");
  return absl::OkStatus();
}

absl::StatusOr<v1::ClaimReply> ProviderStream::Claim(const RangeClaim& claim) {
  v1::ProviderMessage message;
  wire::ToProto(claim, *message.mutable_claim());
  if (!Write(message)) return absl::UnavailableError("the stream ended before the claim");
  v1::DaemonMessage reply;
  while (Read(reply)) {
    if (reply.has_claim_reply()) return reply.claim_reply();
    if (reply.has_call() || reply.has_vm_detached()) early_.push_back(std::move(reply));
  }
  return absl::UnavailableError("the stream ended before the claim's reply");
}

bool ProviderStream::Next(v1::DaemonMessage& message) {
  if (!early_.empty()) {
    message = std::move(early_.front());
    early_.pop_front();
    return true;
  }
  while (Read(message)) {
    if (message.has_call() || message.has_vm_detached()) return true;
  }
  return false;
}

void ProviderStream::Answer(uint64_t call_id, const smccc::Result& result) {
  v1::ProviderMessage message;
  wire::ToProto(result, *message.mutable_result());
  message.mutable_result()->set_call_id(call_id);
  Write(message);
}

void ProviderStream::Close() {
  absl::MutexLock lock(&mu_);
  if (!writable_) return;
  writable_ = false;
  stream_->WritesDone();
}

bool ProviderStream::Read(v1::DaemonMessage& message) {
  return !finished_ && stream_->Read(&message);
}

bool ProviderStream::Write(const v1::ProviderMessage& message) {
  absl::MutexLock lock(&mu_);
  if (!writable_) return false;
  if (!stream_->Write(message)) writable_ = false;
  return writable_;
}

absl::Status ProviderStream::Finish() {
  {
    absl::MutexLock lock(&mu_);
    writable_ = false;
  }
  if (finished_) return absl::FailedPreconditionError("the stream has ended");
  finished_ = true;
  return FromGrpc(stream_->Finish());
}

}  // namespace hypercall::provider
