#include "builtin_provider_adapter.h"

#include <utility>

namespace hypercall::provider_host {
namespace {

// One call to the built-in: its context, kept until the answer (the
// built-in may answer later, from another thread), and its completion, which
// hands the result to the SDK's and goes away, as both contracts allow
// exactly one Complete() per call.
class ForwardingCompletion final : public providers::Completion {
 public:
  ForwardingCompletion(const provider::CallContext& context, provider::Completion& done)
      : context_{.vm = context.vm,
                 .vcpu = context.vcpu,
                 .stolen_time_record = context.stolen_time_record},
        done_(done) {}

  const providers::CallContext& context() const { return context_; }

  void Complete(const smccc::Result& result) override {
    provider::Completion& done = done_;
    delete this;
    done.Complete(result);
  }

 private:
  const providers::CallContext context_;
  provider::Completion& done_;
};

}  // namespace

BuiltinProviderAdapter::BuiltinProviderAdapter(std::unique_ptr<providers::Provider> builtin,
                                               std::string name)
    : builtin_(std::move(builtin)), name_(std::move(name)) {}

void BuiltinProviderAdapter::Handle(const provider::CallContext& context, const smccc::Call& call,
                                    provider::Completion& done) {
  auto* forwarding = new ForwardingCompletion(context, done);
  builtin_->Handle(forwarding->context(), call, *forwarding);
}

}  // namespace hypercall::provider_host
