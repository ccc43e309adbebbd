// One call handed to a Provider: owns the call and its context until the
// provider completes it, then writes the result to the stream the call came
// on, unless its deadline has passed (the daemon has answered the guest
// already). Deletes itself on Complete().
#ifndef HYPERCALL_PROVIDER_SRC_PENDING_CALL_H_
#define HYPERCALL_PROVIDER_SRC_PENDING_CALL_H_

#include <functional>
#include <memory>
#include <string>

#include "hypercall/provider/provider.h"
#include "provider_stream.h"

namespace hypercall::provider {

class PendingCall final : public Completion {
 public:
  // Told when a call is done (answered or dropped); `late` when it missed its
  // deadline.
  using DoneCallback = std::function<void(uint64_t call_id, bool late)>;

  PendingCall(std::shared_ptr<ProviderStream> stream, uint64_t call_id, std::string vm,
              uint32_t vcpu, uint64_t stolen_time_record,
              std::chrono::steady_clock::time_point deadline, const smccc::Call& call,
              DoneCallback done);

  const CallContext& context() const { return context_; }
  const smccc::Call& call() const { return call_; }
  bool Expired() const { return std::chrono::steady_clock::now() > context_.deadline; }

  void Complete(const smccc::Result& result) override;
  // Ends the call unanswered (it expired before a worker took it).
  void Drop();

 private:
  ~PendingCall() = default;

  const std::shared_ptr<ProviderStream> stream_;
  const uint64_t call_id_;
  const std::string vm_;
  CallContext context_;
  const smccc::Call call_;
  const DoneCallback done_;
};

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_SRC_PENDING_CALL_H_
