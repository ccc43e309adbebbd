// One attached VM: what its VMM said about it, the routes it was planned
// with, its per-vCPU stream slots and its counters. A session ends once
// (Close) and then tells everyone listening on it (the VMM's session stream
// and every open vCPU stream), so no stream outlives its VM.
#ifndef HYPERCALL_DAEMON_CORE_SESSION_H_
#define HYPERCALL_DAEMON_CORE_SESSION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/peer_credentials.h"
#include "core/held_plan.h"
#include "core/range_table.h"
#include "core/vm_description.h"

namespace hypercall::core {

// A stream bound to a session.
class SessionListener {
 public:
  // The session ended with `reason` (OK: its VMM closed it). Called at most
  // once, with the session's lock held: it must not call back into the
  // session, and should only mark its stream for finishing.
  virtual void OnSessionClosed(const absl::Status& reason) = 0;

 protected:
  ~SessionListener() = default;
};

class Session {
 public:
  // `owner` (may be null) is the VMM's session stream; it hears Close().
  Session(std::string id, VmDescription vm, std::string software,
          std::shared_ptr<const RangeTable> routes, SessionListener* owner,
          std::optional<base::PeerCredentials> peer = std::nullopt,
          std::vector<RefusedRange> refused = {});

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const { return id_; }
  const VmDescription& vm() const { return vm_; }
  // The VM name, shared with trace events that outlive the session.
  const std::shared_ptr<const std::string>& shared_name() const { return name_; }
  // Peer software from the attach Hello.
  const std::string& software() const { return software_; }
  // The VMM process, when the daemon accepted its connection itself.
  const std::optional<base::PeerCredentials>& peer() const { return peer_; }
  absl::Time attached_at() const { return attached_at_; }
  // The routes planned at attach; immutable for the session's life.
  const RangeTable& routes() const { return *routes_; }
  // The parts of the plan the VMM held at attach that the daemon does not
  // serve (see PlanWithin); empty for a VMM that held none.
  const std::vector<RefusedRange>& refused() const { return refused_; }
  // Each vCPU's planned stolen-time record (see StolenTimeRecords): empty
  // unless the routes forward PV_TIME_ST and the VM has a region.
  const std::vector<uint64_t>& stolen_time_records() const { return stolen_time_records_; }
  // vCPU `index`'s record, or 0 when none is planned.
  uint64_t stolen_time_record(uint32_t index) const {
    return index < stolen_time_records_.size() ? stolen_time_records_[index] : 0;
  }

  // Binds `listener`, a vCPU stream opened by `opener`, to vCPU `index`.
  // A session attached by a known process takes vCPU streams only from that
  // process (same pid and uid, as the kernel reports them): the session id
  // is not a password. Fails with PermissionDenied for any other opener
  // (saying nothing of the session), InvalidArgument when the index is out
  // of range, AlreadyExists when the vCPU has an open stream, and NotFound
  // when the session has ended. Thread-safe.
  absl::Status OpenVcpu(uint32_t index, SessionListener* listener,
                        const std::optional<base::PeerCredentials>& opener = std::nullopt);
  // Frees the vCPU's slot; after it returns `listener` is never called.
  void CloseVcpu(uint32_t index);
  uint32_t vcpus_connected() const;

  // Forgets the owner; after it returns the owner is never called.
  void DetachOwner();

  // Ends the session and tells every listener. True for the call that ended
  // it, false when it had already ended. Thread-safe.
  bool Close(const absl::Status& reason);

  void CountCall() { calls_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }

 private:
  const std::string id_;
  const VmDescription vm_;
  const std::shared_ptr<const std::string> name_;
  const std::string software_;
  const std::optional<base::PeerCredentials> peer_;
  const absl::Time attached_at_;
  const std::shared_ptr<const RangeTable> routes_;
  const std::vector<RefusedRange> refused_;
  const std::vector<uint64_t> stolen_time_records_;
  std::atomic<uint64_t> calls_{0};

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  SessionListener* owner_ ABSL_GUARDED_BY(mu_);
  // One slot per vCPU; null when no stream is open.
  std::vector<SessionListener*> vcpus_ ABSL_GUARDED_BY(mu_);
  uint32_t vcpus_connected_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_SESSION_H_
