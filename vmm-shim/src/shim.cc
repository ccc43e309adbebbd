#include "hypercall/shim/shim.h"

#include "absl/strings/str_format.h"
#include "session.h"
#include "transport.h"
#include "vcpu_port.h"

namespace hypercall::shim {

absl::StatusOr<std::unique_ptr<Shim>> Shim::Connect(const VmDescription& vm,
                                                    const ShimOptions& options,
                                                    GuestMemory* memory) {
  absl::StatusOr<std::unique_ptr<internal::Session>> session =
      internal::Session::Start(vm, options);
  if (!session.ok()) return session.status();
  return std::unique_ptr<Shim>(new Shim(*std::move(session), vm.vcpu_count, memory, options));
}

Shim::Shim(std::unique_ptr<internal::Transport> transport, uint32_t vcpus, GuestMemory* memory,
           const ShimOptions& options)
    : transport_(std::move(transport)) {
  ports_.reserve(vcpus);
  for (uint32_t i = 0; i < vcpus; ++i) {
    ports_.push_back(std::make_unique<internal::VcpuPort>(i, *transport_, memory, options));
  }
}

Shim::~Shim() {
  // vCPU links first (they belong to the transport), all within one grace
  // period however many there are.
  const internal::Deadline grace = internal::Clock::now() + std::chrono::milliseconds(200);
  for (auto& port : ports_) port->Close(grace);
  ports_.clear();
  transport_.reset();
}

const ForwardingPlan& Shim::plan() const { return transport_->plan(); }

absl::StatusOr<CallOutcome> Shim::HandleHypercall(uint32_t vcpu_index, VcpuBackend& vcpu) {
  if (vcpu_index >= ports_.size()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vCPU index %u is outside this VM (%u vCPUs)", vcpu_index, ports_.size()));
  }
  return ports_[vcpu_index]->Handle(vcpu);
}

VcpuStats Shim::vcpu_stats(uint32_t vcpu_index) const {
  if (vcpu_index >= ports_.size()) return {};
  return ports_[vcpu_index]->stats();
}

bool Shim::connected() const { return transport_->attached(); }

uint64_t Shim::attach_count() const { return transport_->attach_count(); }

}  // namespace hypercall::shim
