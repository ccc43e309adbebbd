#include "pending_call.h"

namespace hypercall::provider {

PendingCall::PendingCall(std::shared_ptr<ProviderStream> stream, uint64_t call_id, std::string vm,
                         uint32_t vcpu, uint64_t stolen_time_record,
                         std::chrono::steady_clock::time_point deadline, const smccc::Call& call,
                         DoneCallback done)
    : stream_(std::move(stream)),
      call_id_(call_id),
      vm_(std::move(vm)),
      context_{
          .vm = vm_, .vcpu = vcpu, .stolen_time_record = stolen_time_record, .deadline = deadline},
      call_(call),
      done_(std::move(done)) {}

void PendingCall::Complete(const smccc::Result& result) {
  const bool late = Expired();
  if (!late) stream_->Answer(call_id_, result);
  done_(call_id_, late);
  delete this;
}

void PendingCall::Drop() {
  done_(call_id_, /*late=*/true);
  delete this;
}

}  // namespace hypercall::provider
