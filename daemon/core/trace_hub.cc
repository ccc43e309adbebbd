#include "core/trace_hub.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace hypercall::core {

TraceWatcher::TraceWatcher(std::string vm_filter, size_t capacity)
    : vm_filter_(std::move(vm_filter)), queue_(capacity) {}

std::optional<TraceRecord> TraceWatcher::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || closed_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return queue_.Pop();
}

bool TraceWatcher::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

bool TraceWatcher::Offer(const TraceRecord& record) {
  if (!vm_filter_.empty() && (record.vm == nullptr || *record.vm != vm_filter_)) return true;
  absl::MutexLock lock(&mu_);
  if (closed_) return true;
  TraceRecord* queued = queue_.Push(record);
  if (queued == nullptr) {
    ++dropped_since_queued_;
    return false;
  }
  // The first record after a gap reports it.
  queued->dropped_before = dropped_since_queued_;
  dropped_since_queued_ = 0;
  return true;
}

void TraceWatcher::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

TraceHub::TraceHub(size_t max_watchers, size_t queue_capacity)
    : max_watchers_(max_watchers), queue_capacity_(queue_capacity) {}

absl::StatusOr<std::shared_ptr<TraceWatcher>> TraceHub::Watch(std::string vm_filter) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::UnavailableError("hypercalld is shutting down");
  if (watchers_.size() >= max_watchers_) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("too many trace watchers (limit %d): stop one first", max_watchers_));
  }
  auto watcher = std::make_shared<TraceWatcher>(std::move(vm_filter), queue_capacity_);
  watchers_.push_back(watcher);
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
  return watcher;
}

void TraceHub::Unwatch(const std::shared_ptr<TraceWatcher>& watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
}

void TraceHub::Publish(const TraceRecord& record) {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& watcher : watchers_) {
    if (!watcher->Offer(record)) dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void TraceHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const auto& watcher : watchers_) watcher->Close();
}

}  // namespace hypercall::core
