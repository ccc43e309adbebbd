#include "core/vcpu_channel.h"

#include "smccc/return_codes.h"

namespace hypercall::core {
namespace {

int64_t UnixNanosNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

VcpuChannel::VcpuChannel(Broker& broker, std::shared_ptr<Session> session, uint32_t vcpu,
                         ResultSink& sink)
    : broker_(broker), session_(std::move(session)), vcpu_(vcpu), sink_(sink) {}

void VcpuChannel::Submit(uint64_t call_id, const smccc::Call& call) {
  call_id_ = call_id;
  call_ = call;
  received_ = std::chrono::steady_clock::now();
  received_unix_nanos_ = broker_.trace().HasWatchers() ? UnixNanosNow() : 0;
  smccc::ApplyCallingConvention(call_.function_id, call_);

  route_ = session_->routes().Lookup(call_.function_id);
  if (route_ == nullptr) {
    Complete(smccc::Result::Code(smccc::kNotSupported));
    return;
  }
  providers::CallContext context{*session_->shared_name(), vcpu_};
  route_->provider->provider->Handle(context, call_, *this);
}

void VcpuChannel::Complete(const smccc::Result& provider_result) {
  smccc::Result result = provider_result;
  smccc::ApplyCallingConvention(call_.function_id, result);
  const uint64_t latency_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - received_)
                                     .count();
  session_->CountCall();
  broker_.CountCall(route_ == nullptr);
  if (route_ != nullptr) route_->provider->calls.fetch_add(1, std::memory_order_relaxed);

  // Published before the guest is answered: once the sink has the result
  // the vCPU's next call may start, and its record must come after this one.
  TraceHub& trace = broker_.trace();
  if (trace.HasWatchers()) {
    TraceRecord record;
    record.unix_nanos = received_unix_nanos_ != 0 ? received_unix_nanos_ : UnixNanosNow();
    record.call_id = call_id_;
    record.call = call_;
    record.result = result;
    record.vm = session_->shared_name();
    record.vcpu = vcpu_;
    if (route_ != nullptr) record.provider = route_->provider;
    record.latency_nanos = latency_nanos;
    trace.Publish(record);
  }
  sink_.OnResult(call_id_, result);
}

}  // namespace hypercall::core
