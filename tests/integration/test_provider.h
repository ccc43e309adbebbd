// A minimal provider process for integration tests, written straight on the
// generated stubs: say hello, claim, take calls, answer them (or not), hear
// VmDetached notices.
// Deliberately not the SDK, so the daemon's side of the protocol is tested
// on its own.
#ifndef HYPERCALL_TESTS_INTEGRATION_TEST_PROVIDER_H_
#define HYPERCALL_TESTS_INTEGRATION_TEST_PROVIDER_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/v1/provider.grpc.pb.h"

namespace hypercall::testing {

class TestProvider {
 public:
  // Opens a stream to the provider socket `target` and says hello as
  // `name`; the daemon's refusal (its status) when it does not accept it.
  static absl::StatusOr<std::unique_ptr<TestProvider>> Connect(const std::string& target,
                                                               const std::string& name);
  // Cancels the stream, as a process that dies would leave it.
  ~TestProvider();

  // Claims [first, first + count) reading `args_read_mask` and passing
  // `memory`; the reply.
  absl::StatusOr<v1::ClaimReply> Claim(uint32_t first, uint32_t count, uint32_t args_read_mask,
                                       const std::vector<v1::MemoryOperand>& memory = {});

  // The next call the daemon sends (waits for it, skipping notices); an
  // error when the stream ended instead.
  absl::StatusOr<v1::ForwardedCall> NextCall();
  // The next VmDetached notice (waits for it, skipping calls); an error when
  // the stream ended instead.
  absl::StatusOr<v1::VmDetached> NextVmDetached();

  // Answers call `call_id` with x0..x(n-1) = `regs`, writing `memory` back.
  bool Answer(uint64_t call_id, const std::vector<uint64_t>& regs,
              const std::vector<v1::MemoryBytes>& memory = {});

  // Ends the stream abruptly (like kill -9: no goodbye).
  void Cancel() { context_.TryCancel(); }

 private:
  TestProvider() = default;
  absl::StatusOr<v1::DaemonMessage> Read();
  // The next message of `kind`, from early_ first, skipping the others.
  absl::StatusOr<v1::DaemonMessage> Next(v1::DaemonMessage::KindCase kind);
  // Collects the stream's status, once.
  absl::Status Finish();

  std::unique_ptr<v1::ProviderService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ProviderMessage, v1::DaemonMessage>> stream_;
  bool finished_ = false;
  // Calls and notices that arrived while waiting for a claim reply.
  std::deque<v1::DaemonMessage> early_;
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_INTEGRATION_TEST_PROVIDER_H_
