// The broker core: providers, the router, the live sessions, the trace hub
// and the counters, behind the operations the gRPC services adapt. Knows
// nothing of gRPC, so it is unit-tested without a server.
#ifndef HYPERCALL_DAEMON_CORE_BROKER_H_
#define HYPERCALL_DAEMON_CORE_BROKER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/provider_entry.h"
#include "core/router.h"
#include "core/session_registry.h"
#include "core/trace_hub.h"
#include "providers/provider.h"

namespace hypercall::core {

struct BrokerOptions {
  // Live VMM sessions at most; further attaches get ResourceExhausted.
  size_t max_sessions = 256;
  // Trace watchers at most; further Trace streams get ResourceExhausted.
  size_t max_trace_watchers = 32;
  // Events queued per trace watcher before it starts losing them.
  size_t trace_queue_capacity = 4096;
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

  // Adds `provider` ("builtin" or another `kind`) and claims its default
  // ranges. Fails (keeping any ranges already claimed) when a claim is
  // refused; see RangeTable::Insert. Meant for start-up.
  absl::Status AddProvider(std::unique_ptr<providers::Provider> provider, std::string kind);

  // Starts a session for `vm`; see SessionRegistry::Add for failures. The
  // session routes with the range table as it is now. Thread-safe.
  absl::StatusOr<std::shared_ptr<Session>> Attach(VmDescription vm, std::string software,
                                                  SessionListener* owner);
  // Unregisters `session` and closes it with `reason`. Idempotent.
  void EndSession(Session& session, const absl::Status& reason);

  // The live session `id`, or NotFound saying to attach first.
  absl::StatusOr<std::shared_ptr<Session>> FindSession(const std::string& id) const;
  std::vector<std::shared_ptr<Session>> Sessions() const { return sessions_.List(); }

  // Binds a vCPU stream to `session` (see Session::OpenVcpu) and counts it.
  absl::Status OpenVcpu(Session& session, uint32_t index, SessionListener* listener);
  void CloseVcpu(Session& session, uint32_t index);

  std::shared_ptr<const RangeTable> Routes() const { return router_.Snapshot(); }
  std::vector<std::shared_ptr<const ProviderEntry>> Providers() const;
  TraceHub& trace() { return trace_; }
  BrokerStats Stats() const;

  // Called once per answered call by the vCPU path.
  void CountCall(bool unowned) {
    calls_total_.fetch_add(1, std::memory_order_relaxed);
    if (unowned) calls_unowned_.fetch_add(1, std::memory_order_relaxed);
  }

  // Called when a stream is ended for breaking the protocol.
  void CountProtocolError() { protocol_errors_.fetch_add(1, std::memory_order_relaxed); }

  // Refuses new sessions and trace watchers, ends every session with
  // Unavailable and closes every watcher.
  void Shutdown();

 private:
  Router router_;
  SessionRegistry sessions_;
  TraceHub trace_;
  std::atomic<uint64_t> calls_total_{0};
  std::atomic<uint64_t> calls_unowned_{0};
  std::atomic<uint32_t> vcpu_streams_{0};
  std::atomic<uint64_t> protocol_errors_{0};
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<const ProviderEntry>> providers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_BROKER_H_
