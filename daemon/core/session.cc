#include "core/session.h"

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "smccc/known_calls.h"

namespace hypercall::core {

Session::Session(std::string id, VmDescription vm, std::string software,
                 std::shared_ptr<const RangeTable> routes, SessionListener* owner,
                 std::optional<base::PeerCredentials> peer, std::vector<RefusedRange> refused)
    : id_(std::move(id)),
      vm_(std::move(vm)),
      name_(std::make_shared<const std::string>(vm_.name)),
      software_(std::move(software)),
      peer_(peer),
      attached_at_(absl::Now()),
      routes_(std::move(routes)),
      refused_(std::move(refused)),
      stolen_time_records_(StolenTimeRecords(vm_, routes_->Lookup(smccc::kPvTimeSt) != nullptr)),
      owner_(owner),
      vcpus_(vm_.vcpu_count, nullptr) {}

absl::Status Session::OpenVcpu(uint32_t index, SessionListener* listener,
                               const std::optional<base::PeerCredentials>& opener) {
  if (peer_.has_value() &&
      !(opener.has_value() && opener->pid == peer_->pid && opener->uid == peer_->uid)) {
    return absl::PermissionDeniedError(
        "this session was attached by another process: a VMM opens vCPU streams only of the "
        "sessions it attached");
  }
  absl::MutexLock lock(&mu_);
  if (closed_) {
    return absl::NotFoundError(
        absl::StrFormat("session '%s' of VM '%s' has ended: attach again", id_, vm_.name));
  }
  if (index >= vcpus_.size()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vcpu_index %d is out of range: VM '%s' has %d vCPUs (0..%d)", index,
                        vm_.name, vcpus_.size(), vcpus_.size() - 1));
  }
  if (vcpus_[index] != nullptr) {
    return absl::AlreadyExistsError(absl::StrFormat(
        "vCPU %d of VM '%s' already has an open stream: one stream per vCPU", index, vm_.name));
  }
  vcpus_[index] = listener;
  ++vcpus_connected_;
  return absl::OkStatus();
}

void Session::CloseVcpu(uint32_t index) {
  absl::MutexLock lock(&mu_);
  if (index < vcpus_.size() && vcpus_[index] != nullptr) {
    vcpus_[index] = nullptr;
    --vcpus_connected_;
  }
}

uint32_t Session::vcpus_connected() const {
  absl::MutexLock lock(&mu_);
  return vcpus_connected_;
}

void Session::DetachOwner() {
  absl::MutexLock lock(&mu_);
  owner_ = nullptr;
}

bool Session::Close(const absl::Status& reason) {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  closed_ = true;
  for (SessionListener* vcpu : vcpus_) {
    if (vcpu != nullptr) vcpu->OnSessionClosed(reason);
  }
  if (owner_ != nullptr) owner_->OnSessionClosed(reason);
  return true;
}

}  // namespace hypercall::core
