#include "test_provider.h"

#include <chrono>
#include <utility>

#include "support/test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestProvider>> TestProvider::Connect(const std::string& target,
                                                                    const std::string& name) {
  std::unique_ptr<TestProvider> provider(new TestProvider());
  provider->stub_ = v1::ProviderService::NewStub(testing::Connect(target));
  // No test serves this long: a daemon that never ends a stream it should
  // fails the test instead of hanging it.
  provider->context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  provider->stream_ = provider->stub_->Serve(&provider->context_);
  v1::ProviderMessage hello;
  *hello.mutable_hello()->mutable_hello() = wire::MakeHello("test-provider/1");
  hello.mutable_hello()->set_name(name);
  if (!provider->stream_->Write(hello)) return provider->Finish();
  absl::StatusOr<v1::DaemonMessage> reply = provider->Read();
  if (!reply.ok()) return reply.status();
  if (!reply->has_hello()) return absl::InternalError("the daemon's first message is no hello");
  return provider;
}

TestProvider::~TestProvider() {
  context_.TryCancel();
  if (!finished_) stream_->Finish();
}

absl::Status TestProvider::Finish() {
  finished_ = true;
  return FromGrpc(stream_->Finish());
}

absl::StatusOr<v1::DaemonMessage> TestProvider::Read() {
  v1::DaemonMessage message;
  if (finished_) return absl::FailedPreconditionError("the stream has ended");
  if (!stream_->Read(&message)) {
    absl::Status status = Finish();
    return status.ok() ? absl::AbortedError("the daemon ended the stream") : status;
  }
  return message;
}

absl::StatusOr<v1::ClaimReply> TestProvider::Claim(uint32_t first, uint32_t count,
                                                   uint32_t args_read_mask,
                                                   const std::vector<v1::MemoryOperand>& memory) {
  v1::ProviderMessage claim;
  claim.mutable_claim()->set_first_function_id(first);
  claim.mutable_claim()->set_count(count);
  claim.mutable_claim()->set_args_read_mask(args_read_mask);
  for (const v1::MemoryOperand& operand : memory) *claim.mutable_claim()->add_memory() = operand;
  if (!stream_->Write(claim)) return Finish();
  while (true) {
    absl::StatusOr<v1::DaemonMessage> reply = Read();
    if (!reply.ok()) return reply.status();
    if (reply->has_claim_reply()) return reply->claim_reply();
    early_.push_back(*std::move(reply));
  }
}

absl::StatusOr<v1::DaemonMessage> TestProvider::Next(v1::DaemonMessage::KindCase kind) {
  while (true) {
    absl::StatusOr<v1::DaemonMessage> message;
    if (early_.empty()) {
      message = Read();
    } else {
      message = std::move(early_.front());
      early_.pop_front();
    }
    if (!message.ok() || message->kind_case() == kind) return message;
  }
}

absl::StatusOr<v1::ForwardedCall> TestProvider::NextCall() {
  absl::StatusOr<v1::DaemonMessage> message = Next(v1::DaemonMessage::kCall);
  if (!message.ok()) return message.status();
  return message->call();
}

absl::StatusOr<v1::VmDetached> TestProvider::NextVmDetached() {
  absl::StatusOr<v1::DaemonMessage> message = Next(v1::DaemonMessage::kVmDetached);
  if (!message.ok()) return message.status();
  return message->vm_detached();
}

bool TestProvider::Answer(uint64_t call_id, const std::vector<uint64_t>& regs,
                          const std::vector<v1::MemoryBytes>& memory) {
  v1::ProviderMessage answer;
  answer.mutable_result()->set_call_id(call_id);
  uint32_t written = 0;
  for (size_t i = 0; i < regs.size(); ++i) {
    answer.mutable_result()->add_regs(regs[i]);
    written |= 1u << i;
  }
  answer.mutable_result()->set_written_mask(written | 1);
  for (const v1::MemoryBytes& bytes : memory) *answer.mutable_result()->add_memory() = bytes;
  return stream_->Write(answer);
}

}  // namespace hypercall::testing
