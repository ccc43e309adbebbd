#include "hypercall/shim/shim.h"

#include "absl/strings/str_format.h"
#include "session.h"
#include "vcpu_port.h"

namespace hypercall::shim {

absl::StatusOr<std::unique_ptr<Shim>> Shim::Connect(const VmDescription& vm,
                                                    const ShimOptions& options,
                                                    GuestMemory* memory) {
  absl::StatusOr<std::unique_ptr<internal::Session>> session =
      internal::Session::Start(vm, options);
  if (!session.ok()) return session.status();
  return std::unique_ptr<Shim>(new Shim(*std::move(session), vm.vcpu_count, memory));
}

Shim::Shim(std::unique_ptr<internal::Session> session, uint32_t vcpus, GuestMemory* memory)
    : session_(std::move(session)) {
  ports_.reserve(vcpus);
  for (uint32_t i = 0; i < vcpus; ++i) {
    ports_.push_back(std::make_unique<internal::VcpuPort>(i, *session_, memory));
  }
}

Shim::~Shim() {
  // vCPU streams first (they belong to the session), all within one grace
  // period however many there are.
  const internal::Deadline grace = internal::Clock::now() + std::chrono::milliseconds(200);
  for (auto& port : ports_) port->Close(grace);
  ports_.clear();
  session_.reset();
}

const ForwardingPlan& Shim::plan() const { return session_->plan(); }

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

bool Shim::connected() const { return session_->live_generation() != 0; }

uint64_t Shim::attach_count() const { return session_->attach_count(); }

}  // namespace hypercall::shim
