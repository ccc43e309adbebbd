// How many of something bounded per uid each uid holds (sessions,
// connections, provider streams), so one peer cannot take all of a global
// limit. Not thread-safe: the lock of whatever owns it guards it.
#ifndef HYPERCALL_DAEMON_BASE_UID_TALLY_H_
#define HYPERCALL_DAEMON_BASE_UID_TALLY_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/container/flat_hash_map.h"

namespace hypercall::base {

class UidTally {
 public:
  // `max_per_uid`: what one uid may hold at once.
  explicit UidTally(size_t max_per_uid) : max_per_uid_(max_per_uid) {}

  // What `uid` holds now.
  size_t Of(uid_t uid) const {
    auto it = held_.find(uid);
    return it == held_.end() ? 0 : it->second;
  }
  // True when `uid` holds `max_per_uid` already.
  bool Full(uid_t uid) const { return Of(uid) >= max_per_uid_; }
  // Counts one more for `uid` (the caller checked Full).
  void Take(uid_t uid) { ++held_[uid]; }
  // One Take of `uid` is given back.
  void Release(uid_t uid) {
    auto it = held_.find(uid);
    if (it != held_.end() && --it->second == 0) held_.erase(it);
  }
  void Clear() { held_.clear(); }

 private:
  const size_t max_per_uid_;
  absl::flat_hash_map<uid_t, size_t> held_;
};

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_UID_TALLY_H_
