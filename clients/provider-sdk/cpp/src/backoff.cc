#include "backoff.h"

#include <algorithm>

namespace hypercall::provider {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      next_(initial_) {}

std::chrono::milliseconds Backoff::Next() {
  const std::chrono::milliseconds delay = next_;
  next_ = std::min(next_ * 2, max_);
  return delay;
}

std::chrono::milliseconds Backoff::Max() {
  next_ = max_;
  return max_;
}

}  // namespace hypercall::provider
