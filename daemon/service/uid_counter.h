// Counts what each uid holds of something bounded per uid (provider
// streams), so one peer cannot take all of a global limit.
#ifndef HYPERCALL_DAEMON_SERVICE_UID_COUNTER_H_
#define HYPERCALL_DAEMON_SERVICE_UID_COUNTER_H_

#include <sys/types.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace hypercall::service {

class UidCounter {
 public:
  // `max_per_uid`: what one uid may hold at once.
  explicit UidCounter(int max_per_uid) : max_per_uid_(max_per_uid) {}

  // Counts one more for `uid`; false (not counted) when it holds
  // `max_per_uid` already. Thread-safe.
  bool TryTake(uid_t uid) {
    absl::MutexLock lock(&mu_);
    int& held = held_[uid];
    if (held >= max_per_uid_) return false;
    ++held;
    return true;
  }
  // One counted by TryTake for `uid` is given back. Thread-safe.
  void Release(uid_t uid) {
    absl::MutexLock lock(&mu_);
    auto it = held_.find(uid);
    if (it != held_.end() && --it->second <= 0) held_.erase(it);
  }
  int max_per_uid() const { return max_per_uid_; }

 private:
  const int max_per_uid_;
  absl::Mutex mu_;
  absl::flat_hash_map<uid_t, int> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_UID_COUNTER_H_
