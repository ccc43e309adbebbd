#include "core/session_registry.h"

#include <sys/random.h>

#include <random>

#include "absl/strings/str_format.h"

namespace hypercall::core {
namespace {

// "s-" and 16 hex digits. Random so that ids of past sessions are not reused.
std::string NewSessionId() {
  uint64_t value = 0;
  if (getrandom(&value, sizeof(value), GRND_NONBLOCK) != sizeof(value)) {
    static std::mt19937_64 fallback{std::random_device{}()};
    value = fallback();
  }
  return absl::StrFormat("s-%016x", value);
}

}  // namespace

absl::StatusOr<std::shared_ptr<Session>> SessionRegistry::Add(
    VmDescription vm, std::string software, std::shared_ptr<const RangeTable> routes,
    SessionListener* owner, std::optional<base::PeerCredentials> peer,
    std::vector<RefusedRange> refused) {
  if (absl::Status status = Validate(vm); !status.ok()) return status;
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::UnavailableError("hypercalld is shutting down");
  if (auto it = id_by_name_.find(vm.name); it != id_by_name_.end()) {
    // Who holds it, never its session id.
    const std::optional<base::PeerCredentials>& holder = by_id_.at(it->second)->peer();
    return absl::AlreadyExistsError(absl::StrFormat(
        "VM '%s' is already attached by %s: VM names must be unique among live sessions", vm.name,
        holder.has_value() ? "the VMM " + base::DescribePeer(*holder)
                           : std::string("another session")));
  }
  if (peer.has_value() && live_by_uid_.Full(peer->uid)) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("session limit per uid reached: uid %d has %d live sessions "
                        "(limits.max_sessions_per_uid)",
                        peer->uid, live_by_uid_.Of(peer->uid)));
  }
  if (by_id_.size() >= max_sessions_) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "session limit reached (%d live sessions; limits.max_sessions)", max_sessions_));
  }
  std::string id = NewSessionId();
  while (by_id_.contains(id)) id = NewSessionId();
  auto session = std::make_shared<Session>(id, std::move(vm), std::move(software),
                                           std::move(routes), owner, peer, std::move(refused));
  id_by_name_.emplace(session->vm().name, id);
  by_id_.emplace(std::move(id), session);
  if (peer.has_value()) live_by_uid_.Take(peer->uid);
  return session;
}

std::shared_ptr<Session> SessionRegistry::Find(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

bool SessionRegistry::Remove(const Session& session) {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(session.id());
  if (it == by_id_.end() || it->second.get() != &session) return false;
  id_by_name_.erase(session.vm().name);
  by_id_.erase(it);
  if (session.peer().has_value()) live_by_uid_.Release(session.peer()->uid);
  return true;
}

std::vector<std::shared_ptr<Session>> SessionRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Session>> sessions;
  sessions.reserve(by_id_.size());
  for (const auto& [id, session] : by_id_) sessions.push_back(session);
  return sessions;
}

size_t SessionRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return by_id_.size();
}

std::vector<std::shared_ptr<Session>> SessionRegistry::CloseAll() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  std::vector<std::shared_ptr<Session>> sessions;
  for (auto& [id, session] : by_id_) sessions.push_back(std::move(session));
  by_id_.clear();
  id_by_name_.clear();
  live_by_uid_.Clear();
  return sessions;
}

}  // namespace hypercall::core
