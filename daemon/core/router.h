// The router: the daemon's live range table. A new table replaces it whole
// (copy-on-write), so routing never takes a lock: each VM session holds the
// snapshot it attached with (its forwarding plan is fixed for its life).
#ifndef HYPERCALL_DAEMON_CORE_ROUTER_H_
#define HYPERCALL_DAEMON_CORE_ROUTER_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/range_table.h"

namespace hypercall::core {

class Router {
 public:
  Router();

  // Replaces the live table (sessions keep the one they attached with).
  // Thread-safe.
  void Publish(std::shared_ptr<const RangeTable> table);

  // The current table; never null, never modified. Thread-safe.
  std::shared_ptr<const RangeTable> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const RangeTable> table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_ROUTER_H_
