#include "service/trace_stream.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "service/peer_directory.h"

namespace hypercall::service {
namespace {

class RefusedTrace final : public grpc::ServerWriteReactor<v1::TraceEvent> {
 public:
  explicit RefusedTrace(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::TraceEvent>* TraceStream::Refused(const grpc::Status& status) {
  return new RefusedTrace(status);
}

TraceStream::TraceStream(core::TraceHub& hub, std::shared_ptr<core::TraceWatcher> watcher,
                         Convert convert, base::CallTimer& timer, TraceStreamOptions options,
                         grpc::CallbackServerContext* context)
    : hub_(hub),
      watcher_(std::move(watcher)),
      convert_(std::move(convert)),
      timer_(timer),
      options_(options),
      context_(context),
      connection_fd_(ConnectionFd(context->peer())),
      ticker_(std::make_shared<Ticker>()) {
  {
    absl::MutexLock lock(&ticker_->mu);
    ticker_->stream = this;
  }
  ScheduleTick();
}

void TraceStream::ScheduleTick() {
  const base::CallTimer::Id id = timer_.ScheduleAfter(options_.poll_interval, [ticker = ticker_] {
    TraceStream* stalled = nullptr;
    {
      absl::MutexLock lock(&ticker->mu);
      if (ticker->stream == nullptr) return;
      if (!ticker->stream->Tick()) stalled = ticker->stream;
    }
    // Still alive: a stream that is cancelling does not finish.
    if (stalled != nullptr) stalled->CancelStalled();
  });
  absl::MutexLock lock(&mu_);
  tick_ = id;
}

bool TraceStream::Tick() {
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || cancelling_) return true;
    if (writing_ && absl::Now() - write_started_ > options_.write_timeout) {
      end_ =
          grpc::Status(grpc::StatusCode::CANCELLED, "the trace watcher stopped reading its stream");
      cancelling_ = true;
      return false;
    }
  }
  Advance();
  ScheduleTick();
  return true;
}

void TraceStream::CancelStalled() {
  daemon::Log(daemon::LogLevel::kWarning,
              "a trace watcher took no event for %s: ending its stream and connection",
              absl::FormatDuration(options_.write_timeout));
  context_->TryCancel();
  // A peer that stopped reading its socket leaves gRPC unable to send even
  // the cancel, and the write pending forever: shut the connection down,
  // which fails everything on it. While this stream lives, gRPC holds the
  // connection's descriptor open, so the number is still this connection.
  if (connection_fd_.has_value()) shutdown(*connection_fd_, SHUT_RDWR);
  {
    absl::MutexLock lock(&mu_);
    cancelling_ = false;
  }
  Advance();
}

void TraceStream::Advance() {
  enum class Step { kNone, kWrite, kFinish } step = Step::kNone;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_ || cancelling_) return;
    if (!end_.has_value()) {
      // Never waits: the watcher's queue is looked at, not waited on.
      if (std::optional<core::TraceRecord> record = watcher_->Next(absl::ZeroDuration());
          record.has_value()) {
        convert_(*record, event_);
        writing_ = true;
        write_started_ = absl::Now();
        step = Step::kWrite;
      } else if (watcher_->closed()) {
        end_ = grpc::Status::OK;
      }
    }
    if (step == Step::kNone && end_.has_value()) {
      finished_ = true;
      status = *end_;
      step = Step::kFinish;
    }
  }
  // gRPC never runs a reaction inline in StartWrite or Finish.
  if (step == Step::kWrite) StartWrite(&event_);
  if (step == Step::kFinish) Finish(status);
}

void TraceStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && !end_.has_value()) {
      end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the trace watcher went away");
    }
  }
  Advance();
}

void TraceStream::OnCancel() {
  {
    absl::MutexLock lock(&mu_);
    if (!end_.has_value()) {
      end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the trace watcher went away");
    }
  }
  Advance();
}

void TraceStream::OnDone() {
  {
    // Waits for a tick in progress; none reaches the stream afterwards.
    absl::MutexLock lock(&ticker_->mu);
    ticker_->stream = nullptr;
  }
  base::CallTimer::Id tick;
  {
    absl::MutexLock lock(&mu_);
    tick = tick_;
  }
  timer_.Cancel(tick);
  hub_.Unwatch(watcher_);
  delete this;
}

}  // namespace hypercall::service
