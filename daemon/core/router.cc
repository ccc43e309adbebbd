#include "core/router.h"

namespace hypercall::core {

Router::Router() : table_(std::make_shared<const RangeTable>()) {}

void Router::Publish(std::shared_ptr<const RangeTable> table) {
  absl::MutexLock lock(&mu_);
  table_ = std::move(table);
}

std::shared_ptr<const RangeTable> Router::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return table_;
}

}  // namespace hypercall::core
