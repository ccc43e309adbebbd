// The protocol every bidi stream of the daemon follows, written once: read
// one message at a time and hand it to the stream, write replies in order
// with one write in flight and a bounded queue behind it, end with Finish
// exactly once (the first reason wins), and delete itself after gRPC's last
// callback, then tell the StreamCounter. A stream whose first message does
// not arrive within the OpenTimeout ends with DEADLINE_EXCEEDED, so a peer
// that opens streams and says nothing holds their slots only that long.
// Streams derived from it (session,
// vCPU, provider) keep only their own messages and state.
//
// Messages travel as raw byte buffers parsed here, so a malformed message
// gets an INVALID_ARGUMENT that says so (see message_buffers.h).
//
// Threading rules:
// - gRPC runs the reactions (OnReadDone, OnWriteDone, OnCancel, OnDone) on
//   its callback threads. A read's, a write's and the cancel's reactions may
//   run at the same time on different threads, so the hooks OnRequest,
//   OnBadRequest and End (and End from a failed write or a cancel) may too.
// - One read at a time: the constructor starts the first; the stream starts
//   each next one with ReadNext, from OnRequest or code it calls, at most once
//   per message. The message OnRequest gets is overwritten when that read
//   completes: copy what is needed before calling ReadNext.
// - Send, EndWith and Advance may be called from any thread with mu_ not
//   held (the broker's, a provider's), up to the return of OnStreamDone;
//   QueueLocked and EndWithLocked with mu_ held, followed by Advance once it
//   is released. gRPC never runs a reaction inline in StartWrite or Finish,
//   and Advance calls them without mu_, so any of these may be called from a
//   reaction or with another component's lock held.
// - mu_ guards this base's queue and end state. Derived streams guard their
//   own state with it too, so one step that changes both (a call marked
//   answered as its result is queued) is one critical section.
//   MayFinishLocked runs with it held.
// - OnStreamDone runs once, after Finish and after every other reaction has
//   returned; the stream is deleted right after it. Whoever may still call
//   Send or EndWith (the broker, a provider) must be told to stop there.
#ifndef HYPERCALL_DAEMON_SERVICE_BIDI_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_BIDI_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/log.h"
#include "service/grpc_status.h"
#include "service/message_buffers.h"
#include "service/open_deadline.h"
#include "service/stream_counter.h"

namespace hypercall::service {

struct BidiStreamOptions {
  // What the stream is, for the log ("vCPU" logs "vCPU stream ends: ...").
  absl::string_view name;
  // Messages that may wait behind the write in flight, and their bytes
  // together; Send refuses more.
  size_t max_queued = 1;
  size_t max_queued_bytes = SIZE_MAX;
  // Once the stream is ending: kDropQueued discards what waits and refuses
  // new messages; kWriteQueued writes them all before finishing.
  enum class OnEnd { kDropQueued, kWriteQueued } on_end = OnEnd::kDropQueued;
  // The CANCELLED reasons when a write fails (the peer stopped reading) and
  // when the peer cancels. String literals.
  absl::string_view stopped_reading;
  absl::string_view cancelled;
};

template <typename Request, typename Response>
class BidiStream : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 protected:
  // Starts the first read. `streams` counted this stream (TryStart) and is
  // told when it is deleted.
  BidiStream(StreamCounter& streams, BidiStreamOptions options)
      : streams_(streams), options_(options) {
    StartRead(&read_buffer_);
  }
  ~BidiStream() override = default;

  // Ends the stream unless its first message arrives within `timeout`. Call
  // once, at the end of the derived stream's constructor (the deadline may
  // fire at once, and reaches the derived stream's hooks). `waiting_for`
  // names the message, a string literal.
  void ArmOpenDeadline(const OpenTimeout& timeout, absl::string_view waiting_for) {
    open_deadline_.emplace(timeout, [this, limit = timeout.limit, waiting_for] {
      daemon::Log(daemon::LogLevel::kDebug, "%s stream: no %s within %s", options_.name,
                  waiting_for, absl::FormatDuration(limit));
      EndWith(absl::DeadlineExceededError(
          absl::StrFormat("no %s within %s of opening the stream (limits.open_timeout_ms)",
                          waiting_for, absl::FormatDuration(limit))));
    });
  }

  // A message arrived. Start the next read with ReadNext, or end the stream.
  virtual void OnRequest(const Request& request) = 0;
  // The peer sent bytes that are not a Request; `status` says so.
  virtual void OnBadRequest(const absl::Status& status) = 0;
  // The stream should end: the peer half-closed (OK), stopped reading or
  // cancelled (CANCELLED). Streams whose end goes through an owner (a
  // session) override this; the default is EndWith.
  virtual void End(const absl::Status& reason) { EndWith(reason); }
  // Called for the message about to be written as it leaves the queue:
  // true drops it unwritten (e.g. a call whose deadline passed while it
  // waited); it may update the message first.
  virtual bool DropAtDequeueLocked(Response& /*message*/) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return false;
  }
  // Whether the stream, once ending, may finish now; false holds the finish
  // (e.g. until a call in flight is answered). Call Advance when it changes.
  virtual bool MayFinishLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return true; }
  // The stream ended with `reason` (what Finish sent) and gRPC is done with
  // it: tell the broker. The stream is deleted when this returns.
  virtual void OnStreamDone(const absl::Status& reason) = 0;

  // Starts the next read.
  void ReadNext() { StartRead(&read_buffer_); }

  // Queues `message` and starts writing it when no write is in flight;
  // false (dropped) when the queue is full or, with kDropQueued, the stream
  // is ending.
  bool Send(Response message) ABSL_LOCKS_EXCLUDED(mu_) {
    bool queued;
    {
      absl::MutexLock lock(&mu_);
      queued = QueueLocked(std::move(message));
    }
    Advance();
    return queued;
  }
  // Send without starting the write: call Advance after releasing mu_.
  bool QueueLocked(Response message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (end_status_.has_value() && options_.on_end == BidiStreamOptions::OnEnd::kDropQueued) {
      return false;
    }
    if (queue_.size() >= options_.max_queued) return false;
    if (CountsBytes()) {
      const size_t bytes = message.ByteSizeLong();
      if (queued_bytes_ + bytes > options_.max_queued_bytes) return false;
      queued_bytes_ += bytes;
    }
    queue_.push_back(std::move(message));
    return true;
  }
  // Messages waiting behind the write in flight.
  size_t QueuedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return queue_.size(); }

  // Ends the stream with `status` (the first reason wins), after what is
  // queued (kWriteQueued) and once MayFinishLocked.
  void EndWith(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      EndWithLocked(status);
    }
    Advance();
  }
  // EndWith without acting on it: call Advance after releasing mu_.
  void EndWithLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (end_status_.has_value()) return;
    end_status_ = status;
    if (options_.on_end == BidiStreamOptions::OnEnd::kDropQueued) {
      queue_.clear();
      queued_bytes_ = 0;
    }
  }
  bool EndingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return end_status_.has_value(); }

  // Starts the next write or the finish, whichever is due and allowed.
  void Advance() ABSL_LOCKS_EXCLUDED(mu_) {
    enum class Step { kNone, kWrite, kFinish } step = Step::kNone;
    grpc::Status finish_status;
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || writing_) return;
      while (!queue_.empty() && DropAtDequeueLocked(queue_.front())) queue_.pop_front();
      if (!queue_.empty()) {
        SerializeMessage(queue_.front(), write_buffer_);
        // The size SerializeMessage has just computed.
        if (CountsBytes()) queued_bytes_ -= queue_.front().GetCachedSize();
        queue_.pop_front();
        writing_ = true;
        step = Step::kWrite;
      } else if (end_status_.has_value() && MayFinishLocked()) {
        finished_ = true;
        finish_status = ToGrpcStatus(*end_status_);
        daemon::Log(daemon::LogLevel::kDebug, "%s stream ends: %s", options_.name,
                    daemon::Escaped(end_status_->ToString()));
        step = Step::kFinish;
      }
    }
    // Only one thread at a time gets here with a step (writing_/finished_).
    if (step == Step::kWrite) StartWrite(&write_buffer_);
    if (step == Step::kFinish) Finish(finish_status);
  }

  // Guards the state above and the derived stream's (see the top).
  absl::Mutex mu_;

 private:
  // Whether the queue is bounded in bytes (sizing costs, on the vCPU path).
  bool CountsBytes() const { return options_.max_queued_bytes != SIZE_MAX; }

  void OnReadDone(bool ok) final {
    if (!first_read_done_) {
      // Whatever came (or the end of the stream), the peer is no longer
      // silent: from here on the stream's own rules apply.
      first_read_done_ = true;
      if (open_deadline_.has_value()) open_deadline_->Disarm();
    }
    if (!ok) {
      End(absl::OkStatus());
      return;
    }
    if (absl::Status parsed = ParseMessage(read_buffer_, request_); !parsed.ok()) {
      OnBadRequest(parsed);
      return;
    }
    OnRequest(request_);
  }

  void OnWriteDone(bool ok) final {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
    }
    if (!ok) End(absl::CancelledError(options_.stopped_reading));
    Advance();
  }

  void OnCancel() final { End(absl::CancelledError(options_.cancelled)); }

  void OnDone() final {
    // No deadline may reach the stream from here on.
    if (open_deadline_.has_value()) open_deadline_->Disarm();
    absl::Status reason;
    {
      absl::MutexLock lock(&mu_);
      // Set: gRPC is done only after Finish.
      reason = end_status_.value_or(absl::CancelledError(options_.cancelled));
    }
    OnStreamDone(reason);
    StreamCounter& streams = streams_;
    delete this;
    streams.Ended();
  }

  StreamCounter& streams_;
  const BidiStreamOptions options_;
  // Set by ArmOpenDeadline; disarmed by the first read to complete.
  std::optional<OpenDeadline> open_deadline_;
  // The read in progress; only it and OnRequest touch them.
  bool first_read_done_ = false;
  grpc::ByteBuffer read_buffer_;
  Request request_;
  // The message being written; owned by the write in progress while
  // writing_.
  grpc::ByteBuffer write_buffer_;

  std::deque<Response> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> end_status_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_BIDI_STREAM_H_
