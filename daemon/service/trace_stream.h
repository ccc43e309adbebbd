// One observer's Trace stream on the callback API: it holds no thread, and
// at most one event is being written while the watcher's bounded queue
// (core::TraceWatcher) holds the rest, so a watcher that stops reading costs
// the daemon a fixed amount of memory and never a thread. One that takes no
// event for `write_timeout` is ended, freeing its watcher slot for others.
//
// The stream looks for new records when a write completes and, when idle,
// every `poll_interval` on the timer's thread (the watcher has no callback to
// wake it): so an event reaches an idle watcher within that interval.
#ifndef HYPERCALL_DAEMON_SERVICE_TRACE_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_TRACE_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/call_timer.h"
#include "core/trace_hub.h"
#include "hypercall/v1/observer.pb.h"

namespace hypercall::service {

struct TraceStreamOptions {
  // How often an idle stream looks for records.
  absl::Duration poll_interval = absl::Milliseconds(20);
  // How long one event may wait for the watcher to read it.
  absl::Duration write_timeout = absl::Seconds(5);
};

class TraceStream final : public grpc::ServerWriteReactor<v1::TraceEvent> {
 public:
  // Fills a TraceEvent from a record (what the observer may see of it).
  using Convert = std::function<void(const core::TraceRecord&, v1::TraceEvent&)>;

  // Streams what `watcher` (of `hub`) gets, each record through `convert`,
  // until the watcher is closed (OK), the client goes or stops reading
  // (CANCELLED); then unwatches it and deletes itself. `hub` and `timer`
  // must outlive it.
  TraceStream(core::TraceHub& hub, std::shared_ptr<core::TraceWatcher> watcher, Convert convert,
              base::CallTimer& timer, TraceStreamOptions options,
              grpc::CallbackServerContext* context);

  // A Trace refused before it starts: finishes at once with `status`.
  static grpc::ServerWriteReactor<v1::TraceEvent>* Refused(const grpc::Status& status);

 private:
  // What the timer's callbacks reach the stream through, until OnDone.
  struct Ticker {
    absl::Mutex mu;
    TraceStream* stream ABSL_GUARDED_BY(mu) = nullptr;
  };

  ~TraceStream() override = default;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // On the timer: looks for a record, then again after poll_interval;
  // false when the write in progress has stalled past write_timeout, and
  // the stream is marked cancelling: call CancelStalled next.
  bool Tick() ABSL_LOCKS_EXCLUDED(mu_);
  // Cancels the call, so the stalled write fails, then lets the stream
  // finish. Called without any lock: gRPC may run reactions inline in
  // TryCancel.
  void CancelStalled() ABSL_LOCKS_EXCLUDED(mu_);
  void ScheduleTick();
  // Starts writing the next record, or finishes, whichever is due.
  void Advance() ABSL_LOCKS_EXCLUDED(mu_);

  core::TraceHub& hub_;
  const std::shared_ptr<core::TraceWatcher> watcher_;
  const Convert convert_;
  base::CallTimer& timer_;
  const TraceStreamOptions options_;
  grpc::CallbackServerContext* const context_;
  // The connection's descriptor, as gRPC names it in the peer ("fd:N").
  const std::optional<int> connection_fd_;
  const std::shared_ptr<Ticker> ticker_;

  absl::Mutex mu_;
  // Owned by the write in progress while writing_.
  v1::TraceEvent event_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time write_started_ ABSL_GUARDED_BY(mu_);
  // Set when the stream should end: it finishes once no write is pending.
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  // While set the stream does not finish, so it outlives CancelStalled.
  bool cancelling_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  base::CallTimer::Id tick_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_TRACE_STREAM_H_
