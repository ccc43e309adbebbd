// After a restart, the VM names the previous run's sessions held, each kept
// for the VMM process that held it for a grace period, so the VMM gets its
// name back before any other peer can take it. A reservation ends when the
// name is attached (by its holder, or by anyone once the period is over).
#ifndef HYPERCALL_DAEMON_CORE_NAME_RESERVATIONS_H_
#define HYPERCALL_DAEMON_CORE_NAME_RESERVATIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/peer_credentials.h"
#include "core/held_names.h"

namespace hypercall::core {

class NameReservations {
 public:
  // No reservations.
  NameReservations() = default;
  // Reserves each of `held` for its holder until `clock` reaches `until`.
  // `clock` must outlive this.
  NameReservations(const std::vector<HeldName>& held, absl::Time until, const base::Clock& clock);

  // OK when `peer` may attach `name`: it is not reserved, the period is
  // over, or `peer` is its holder (same pid, uid and start time).
  // Unavailable otherwise, saying for whom and for how long at most.
  // Thread-safe.
  absl::Status Check(std::string_view name, const std::optional<base::PeerCredentials>& peer) const;

  // `name` was attached: it is no longer reserved. Thread-safe.
  void Release(std::string_view name);

  // The names still reserved (none once the period is over). Thread-safe.
  std::vector<HeldName> Pending() const;

 private:
  bool Over() const { return clock_ == nullptr || clock_->Now() >= until_; }

  const absl::Time until_ = absl::InfinitePast();
  const base::Clock* const clock_ = nullptr;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, HeldName> held_ ABSL_GUARDED_BY(mu_);
};

// The entries of the held-names file at `path` (none when there is no
// file) whose processes still run (same pid and start time in /proc now),
// each skipped entry, unreadable file or gone process logged.
std::vector<HeldName> LoadHeldNames(const std::string& path);

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_NAME_RESERVATIONS_H_
