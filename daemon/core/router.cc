#include "core/router.h"

namespace hypercall::core {

Router::Router() : table_(std::make_shared<const RangeTable>()) {}

absl::Status Router::Claim(Route route) {
  absl::MutexLock lock(&mu_);
  auto next = std::make_shared<RangeTable>(*table_);
  if (absl::Status status = next->Insert(std::move(route)); !status.ok()) return status;
  table_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const RangeTable> Router::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return table_;
}

}  // namespace hypercall::core
