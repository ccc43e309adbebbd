// The live sessions, by id and by VM name. Enforces the rules that span
// sessions: a VM name is live at most once, and there are limits on how
// many sessions exist, in all and of VMMs of one uid.
#ifndef HYPERCALL_DAEMON_CORE_SESSION_REGISTRY_H_
#define HYPERCALL_DAEMON_CORE_SESSION_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/uid_tally.h"
#include "core/session.h"

namespace hypercall::core {

class SessionRegistry {
 public:
  // At most `max_sessions` live sessions, and `max_sessions_per_uid` of
  // them attached by VMMs of one uid (sessions of an unknown peer count
  // only in the first).
  SessionRegistry(size_t max_sessions, size_t max_sessions_per_uid)
      : max_sessions_(max_sessions), live_by_uid_(max_sessions_per_uid) {}

  // Creates and registers a session for `vm` with a fresh random id. Fails
  // with InvalidArgument (Validate), AlreadyExists when a live session has
  // the same VM name (naming the process that holds it, not its session),
  // ResourceExhausted at either session limit (naming it), and Unavailable
  // after CloseAll. Thread-safe.
  absl::StatusOr<std::shared_ptr<Session>> Add(
      VmDescription vm, std::string software, std::shared_ptr<const RangeTable> routes,
      SessionListener* owner, std::optional<base::PeerCredentials> peer = std::nullopt,
      std::vector<RefusedRange> refused = {});

  // The live session `id`, or null. Thread-safe.
  std::shared_ptr<Session> Find(const std::string& id) const;

  // Unregisters `session`; false (a no-op) when it was gone already.
  // Thread-safe.
  bool Remove(const Session& session);

  // Live sessions, in no particular order. Thread-safe.
  std::vector<std::shared_ptr<Session>> List() const;
  size_t size() const;

  // Refuses further Adds and unregisters every session, returning them.
  std::vector<std::shared_ptr<Session>> CloseAll();

 private:
  const size_t max_sessions_;
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, std::shared_ptr<Session>> by_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> id_by_name_ ABSL_GUARDED_BY(mu_);
  // Live sessions by the uid of the VMM that attached them, when known.
  base::UidTally live_by_uid_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_SESSION_REGISTRY_H_
