// The broker core: providers, the router, the live sessions, the trace hub
// and the counters, behind the operations the gRPC services adapt. Knows
// nothing of gRPC, so it is unit-tested without a server.
#ifndef HYPERCALL_DAEMON_CORE_BROKER_H_
#define HYPERCALL_DAEMON_CORE_BROKER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "core/held_plan.h"
#include "core/name_reservations.h"
#include "core/provider_entry.h"
#include "core/router.h"
#include "core/session_registry.h"
#include "core/trace_hub.h"
#include "hypercall/provider/provider.h"

namespace hypercall::core {

struct BrokerOptions {
  // Live VMM sessions at most; further attaches get ResourceExhausted.
  size_t max_sessions = 256;
  // Live sessions of VMMs of one uid at most; further attaches of that uid
  // get ResourceExhausted.
  size_t max_sessions_per_uid = 64;
  // Trace watchers at most; further Trace streams get ResourceExhausted.
  size_t max_trace_watchers = 32;
  // Events queued per trace watcher before it starts losing them.
  size_t trace_queue_capacity = 4096;
  // How long a provider may take to answer one call: each call's
  // CallContext::deadline is this after it arrived.
  std::chrono::nanoseconds call_deadline = std::chrono::seconds(1);
  // The held-names file (core/held_names.h): read when the broker is made,
  // and rewritten as sessions attach and end (not when Shutdown ends them,
  // so the next run knows who held what). Empty: none.
  std::string held_names_path = {};
  // How long after the broker is made each name the file held (by a process
  // that still runs) stays reserved for that process.
  std::chrono::milliseconds restart_grace = std::chrono::seconds(30);
  // What the grace period is measured on; must outlive the broker.
  const base::Clock* clock = &base::Clock::Real();
};

// Counters for the status view.
struct BrokerStats {
  uint32_t sessions = 0;
  uint32_t vcpu_streams = 0;
  uint64_t calls_total = 0;
  uint64_t calls_unowned = 0;
  uint32_t trace_watchers = 0;
  uint64_t trace_events_dropped = 0;
  // Streams ended because their peer broke the protocol.
  uint64_t protocol_errors = 0;
};

class Broker {
 public:
  explicit Broker(const BrokerOptions& options = {});

  // Adds `provider` ("builtin" or another `kind`) with its default claims;
  // fails, changing nothing, when one is refused (see RangeTable::Insert).
  absl::StatusOr<std::shared_ptr<ProviderEntry>> AddProvider(
      std::unique_ptr<provider::Provider> provider, std::string kind);

  // A provider and the ranges it is to own.
  struct ProviderSetup {
    std::shared_ptr<ProviderEntry> entry;
    std::vector<provider::RangeClaim> claims;
  };
  // Which providers a VM's plan may include, by VM name and provider name;
  // for the VM rules of the config. An empty function lets every VM have
  // every provider.
  using PlanPolicy = std::function<bool(std::string_view vm, std::string_view provider)>;
  // Whether `peer` (nullopt: unknown) may attach a VM named `vm`: OK, or
  // the refusal (PermissionDenied saying why); for the VM rules too. An
  // empty function lets anyone attach.
  using AttachPolicy = std::function<absl::Status(
      std::string_view vm, const std::optional<base::PeerCredentials>& peer)>;
  struct VmPolicy {
    PlanPolicy plan;
    AttachPolicy attach;
  };

  // Replaces the whole set of providers, their routes and the VM policy, as
  // the config names them, in one step: a VM attaching meanwhile is planned
  // and admitted with the old set and policy or the new ones, never a mix.
  // All or nothing: fails, changing nothing, when a claim is refused. A
  // session planned with a provider entry the new set no longer has
  // (removed, or replaced by a new one) is ended with Aborted naming the
  // provider, so its VMM attaches again for the new plan rather than call a
  // provider nobody serves; other sessions keep the routes they attached
  // with. Thread-safe.
  absl::Status SetProviders(std::vector<ProviderSetup> providers, VmPolicy policy = {});

  // Starts a session for `vm`, attached by `peer`. Fails as the attach
  // policy refuses, with Unavailable while the name is reserved for another
  // process after a restart (NameReservations), or as SessionRegistry::Add
  // does. The session routes with the range table as it is now, less the
  // providers the plan policy keeps from this VM; when the VMM holds a plan
  // already (`held`: it re-attaches, and KVM's filter is write-once), only
  // within it (PlanWithin; Session::refused says what it does not serve).
  // Thread-safe.
  absl::StatusOr<std::shared_ptr<Session>> Attach(
      VmDescription vm, std::string software, SessionListener* owner,
      std::optional<base::PeerCredentials> peer = std::nullopt,
      const std::optional<std::vector<HeldRange>>& held = std::nullopt);
  // Unregisters `session` and closes it with `reason`. Idempotent.
  void EndSession(Session& session, const absl::Status& reason);

  // The live session `id`, or NotFound saying to attach first.
  absl::StatusOr<std::shared_ptr<Session>> FindSession(const std::string& id) const;
  std::vector<std::shared_ptr<Session>> Sessions() const { return sessions_.List(); }

  // Binds a vCPU stream opened by `opener` to `session` (see
  // Session::OpenVcpu) and counts it.
  absl::Status OpenVcpu(Session& session, uint32_t index, SessionListener* listener,
                        const std::optional<base::PeerCredentials>& opener = std::nullopt);
  void CloseVcpu(Session& session, uint32_t index);

  std::shared_ptr<const RangeTable> Routes() const { return router_.Snapshot(); }
  std::vector<std::shared_ptr<const ProviderEntry>> Providers() const;
  // The providers with the ranges they were set up with.
  std::vector<ProviderSetup> ProviderSetups() const;
  TraceHub& trace() { return trace_; }
  std::chrono::nanoseconds call_deadline() const { return call_deadline_; }
  BrokerStats Stats() const;

  // Called once per answered call by the vCPU path.
  void CountCall(bool unowned) {
    calls_total_.fetch_add(1, std::memory_order_relaxed);
    if (unowned) calls_unowned_.fetch_add(1, std::memory_order_relaxed);
  }

  // Called when a stream is ended for breaking the protocol.
  void CountProtocolError() { protocol_errors_.fetch_add(1, std::memory_order_relaxed); }

  // Refuses new sessions and trace watchers, ends every session with
  // Unavailable and closes every watcher. The held-names file keeps the
  // sessions as they were.
  void Shutdown();

 private:
  // Rewrites the held-names file: the live sessions' names with their VMMs,
  // and the names still reserved. Nothing after Shutdown.
  void SaveHeldNames();

  const std::chrono::nanoseconds call_deadline_;
  Router router_;
  SessionRegistry sessions_;
  TraceHub trace_;
  std::atomic<uint64_t> calls_total_{0};
  std::atomic<uint64_t> calls_unowned_{0};
  std::atomic<uint32_t> vcpu_streams_{0};
  std::atomic<uint64_t> protocol_errors_{0};
  // Held while the routes and policy change and while a session is planned
  // and registered, so each session is planned from one of them and a
  // change sees every session planned before it.
  mutable absl::Mutex mu_;
  std::vector<ProviderSetup> providers_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const VmPolicy> vm_policy_ ABSL_GUARDED_BY(mu_);
  const std::string held_names_path_;
  NameReservations reservations_;
  // Serializes SaveHeldNames, so the last write has the latest sessions.
  absl::Mutex save_mu_;
  bool stopped_ ABSL_GUARDED_BY(save_mu_) = false;
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_BROKER_H_
