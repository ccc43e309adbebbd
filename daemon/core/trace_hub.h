// Live call tracing. The vCPU path publishes one record per answered call;
// each watcher (an observer's Trace stream) has its own bounded queue. A
// watcher that falls behind loses events, counted and reported with the
// next event it gets, and never makes a vCPU wait.
#ifndef HYPERCALL_DAEMON_CORE_TRACE_HUB_H_
#define HYPERCALL_DAEMON_CORE_TRACE_HUB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/bounded_queue.h"
#include "core/provider_entry.h"
#include "smccc/call.h"

namespace hypercall::core {

// One answered call.
struct TraceRecord {
  // When the daemon received the call (Unix time, ns).
  int64_t unix_nanos = 0;
  uint64_t call_id = 0;
  // As the guest issued it (w-register semantics applied for SMC32). Its
  // memory buffers have no data: guest memory stays out of traces.
  smccc::Call call;
  // What the guest got. Its memory buffers have no data either; their
  // length is the number of bytes written back.
  smccc::Result result;
  std::shared_ptr<const std::string> vm;
  uint32_t vcpu = 0;
  // Null when no provider owns the function ID.
  std::shared_ptr<const ProviderEntry> provider;
  // From receiving the call to handing back its result.
  uint64_t latency_nanos = 0;
  // Events this watcher lost just before this one (set by the watcher).
  uint64_t dropped_before = 0;
  // The call's range keeps its results secret: result.x past x0 is zero
  // (never copied from the result; trace_redaction.h).
  bool results_secret = false;
  // For one watcher, not granted register values: call.x, result.x past x0
  // and the memory buffers' addresses are zero (trace_redaction.h).
  bool registers_withheld = false;
};

class TraceHub;

// One watcher's queue, read by its Trace stream.
class TraceWatcher {
 public:
  TraceWatcher(std::string vm_filter, size_t capacity);

  // The next record, waiting up to `timeout`; nullopt on timeout or once
  // the watcher is closed and drained. Thread-safe.
  std::optional<TraceRecord> Next(absl::Duration timeout);
  bool closed() const;

 private:
  friend class TraceHub;
  // Queues `record` if it passes the filter; counts a drop when full.
  // Returns false when it dropped. Never blocks on the reader.
  bool Offer(const TraceRecord& record);
  void Close();

  const std::string vm_filter_;
  mutable absl::Mutex mu_;
  BoundedQueue<TraceRecord> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_since_queued_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class TraceHub {
 public:
  // At most `max_watchers` at once, each queueing up to `queue_capacity`.
  TraceHub(size_t max_watchers, size_t queue_capacity);

  // A new watcher of calls of VM `vm_filter` (empty: all VMs). Fails with
  // ResourceExhausted at the watcher limit and Unavailable after Close.
  absl::StatusOr<std::shared_ptr<TraceWatcher>> Watch(std::string vm_filter);
  // Stops feeding `watcher`.
  void Unwatch(const std::shared_ptr<TraceWatcher>& watcher);

  // Cheap check so the vCPU path builds a record only when someone watches.
  bool HasWatchers() const { return watcher_count_.load(std::memory_order_relaxed) > 0; }

  // Hands `record` to every watcher. Never blocks on a watcher's reader.
  void Publish(const TraceRecord& record);

  // Closes every watcher (their Next returns nullopt once drained) and
  // refuses new ones.
  void Close();

  size_t watchers() const { return watcher_count_.load(std::memory_order_relaxed); }
  // Events lost by all watchers since start.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const size_t max_watchers_;
  const size_t queue_capacity_;
  std::atomic<size_t> watcher_count_{0};
  std::atomic<uint64_t> dropped_{0};
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<TraceWatcher>> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_TRACE_HUB_H_
