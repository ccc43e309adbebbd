// One client bidi gRPC stream driven through its own completion queue, with
// a deadline on every step, so the thread using it never waits longer than it
// chose. The session stream and every vCPU stream are one of these; each is
// used by one thread (Cancel() excepted).
#ifndef HYPERCALL_VMM_SHIM_SRC_ASYNC_STREAM_H_
#define HYPERCALL_VMM_SHIM_SRC_ASYNC_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/async_stream.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "deadline.h"

namespace hypercall::shim::internal {

// `deadline` as a gRPC monotonic deadline.
gpr_timespec ToGprDeadline(Deadline deadline);
// The one place a gRPC status becomes an absl::Status in the shim.
absl::Status FromGrpc(const grpc::Status& status);

template <typename Request, typename Reply>
class AsyncStream {
 public:
  using Rpc = grpc::ClientAsyncReaderWriterInterface<Request, Reply>;
  // A stub's PrepareAsyncXxx, bound to the stub.
  using Prepare = std::function<std::unique_ptr<Rpc>(grpc::ClientContext*, grpc::CompletionQueue*)>;

  // wait_for_ready: Start() waits (until its deadline) for the channel to
  // connect instead of failing at once when the daemon is not there.
  AsyncStream(const Prepare& prepare, bool wait_for_ready) {
    context_.set_wait_for_ready(wait_for_ready);
    rpc_ = prepare(&context_, &cq_);
  }

  // Close(now + 200 ms) unless closed already; then drains the queue.
  ~AsyncStream() {
    Close(Clock::now() + std::chrono::milliseconds(200));
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // Ends the call: a healthy stream is half-closed and its final status
  // awaited until `grace`; past it, or on a broken stream, it is cancelled.
  // Idempotent.
  void Close(Deadline grace) {
    if (!started_ || finished_) return;
    if (!broken_) {
      rpc_->WritesDone(Tag(kWritesDone));
      // A failure here finishes the call itself.
      Await(kWritesDone, grace).IgnoreError();
    }
    if (!finished_) Finish(grace).IgnoreError();
  }

  AsyncStream(const AsyncStream&) = delete;
  AsyncStream& operator=(const AsyncStream&) = delete;

  // Call once, first.
  absl::Status Start(Deadline deadline) {
    started_ = true;
    rpc_->StartCall(Tag(kStart));
    return Await(kStart, deadline);
  }

  absl::Status Read(Reply* reply, Deadline deadline) {
    if (broken_) return Broken();
    rpc_->Read(reply, Tag(kRead));
    return Await(kRead, deadline);
  }

  // Posts a read without waiting for it; collect it with PollRead().
  // REQUIRES: no read pending.
  void StartRead(Reply* reply) {
    if (broken_) return;
    pending_ |= kRead;
    rpc_->Read(reply, Tag(kRead));
  }

  // Waits until `deadline` for the read StartRead() posted: true once it
  // completed, false while it is still pending (it stays posted), the
  // stream's final status once it failed.
  absl::StatusOr<bool> PollRead(Deadline deadline) {
    if (broken_) return Broken();
    void* tag;
    bool ok;
    switch (cq_.AsyncNext(&tag, &ok, ToGprDeadline(deadline))) {
      case grpc::CompletionQueue::TIMEOUT:
        return false;
      case grpc::CompletionQueue::SHUTDOWN:
        broken_ = true;
        return Broken();
      case grpc::CompletionQueue::GOT_EVENT:
        break;
    }
    pending_ &= ~reinterpret_cast<uintptr_t>(tag);
    if (ok) return true;
    broken_ = true;
    return Finish(Clock::now() + std::chrono::milliseconds(200));
  }

  // Writes `request` and reads one reply with both in flight at once: one
  // wake-up less per exchange than Write() then Read().
  absl::Status Exchange(const Request& request, Reply* reply, Deadline deadline) {
    if (broken_) return Broken();
    rpc_->Write(request, Tag(kWrite));
    rpc_->Read(reply, Tag(kRead));
    return Await(kWrite | kRead, deadline);
  }

  // Makes every pending and later step fail soon. Thread-safe.
  void Cancel() { context_.TryCancel(); }

  // True once a step failed or timed out: the stream is of no further use.
  bool broken() const { return broken_; }

 private:
  enum Op : uintptr_t { kStart = 1, kWrite = 2, kRead = 4, kWritesDone = 8, kFinish = 16 };
  static void* Tag(Op op) { return reinterpret_cast<void*>(op); }

  static absl::Status Broken() {
    return absl::UnavailableError("the stream to hypercalld is broken");
  }

  // Waits until every op in `ops` completed, or the deadline. On timeout or a
  // failed op the stream is cancelled, drained, and marked broken.
  absl::Status Await(uintptr_t ops, Deadline deadline) {
    pending_ |= ops;
    bool failed = false;
    while ((pending_ & ops) != 0) {
      void* tag;
      bool ok;
      const auto next = cq_.AsyncNext(&tag, &ok, ToGprDeadline(deadline));
      if (next == grpc::CompletionQueue::TIMEOUT) {
        broken_ = true;
        context_.TryCancel();
        DrainPending();
        return absl::DeadlineExceededError("hypercalld did not answer within the deadline");
      }
      if (next == grpc::CompletionQueue::SHUTDOWN) {
        broken_ = true;
        return Broken();
      }
      pending_ &= ~reinterpret_cast<uintptr_t>(tag);
      if (!ok && !failed) {
        failed = true;
        // Whatever else is in flight will not succeed either; end it now.
        if ((pending_ & ops) != 0) context_.TryCancel();
      }
    }
    if (!failed) return absl::OkStatus();
    broken_ = true;
    DrainPending();
    // A failed op means the call is over: its status says why.
    return Finish(Clock::now() + std::chrono::milliseconds(200));
  }

  // Waits (no deadline: only after TryCancel or a failed op) for every op
  // still pending to come back.
  void DrainPending() {
    while (pending_ != 0) {
      void* tag;
      bool ok;
      if (!cq_.Next(&tag, &ok)) return;
      pending_ &= ~reinterpret_cast<uintptr_t>(tag);
    }
  }

  // Collects the call's final status; cancels when it does not come by
  // `deadline`. Returns it as an error (OK becomes Unavailable: the stream
  // ended although the protocol keeps it open).
  absl::Status Finish(Deadline deadline) {
    DrainPending();
    finished_ = true;
    grpc::Status status;
    rpc_->Finish(&status, Tag(kFinish));
    pending_ |= kFinish;
    void* tag;
    bool ok;
    if (cq_.AsyncNext(&tag, &ok, ToGprDeadline(deadline)) == grpc::CompletionQueue::TIMEOUT) {
      context_.TryCancel();
    } else {
      pending_ &= ~reinterpret_cast<uintptr_t>(tag);
    }
    DrainPending();
    if (status.ok()) return absl::UnavailableError("hypercalld closed the stream");
    return FromGrpc(status);
  }

  // Destroyed in reverse: the call, then its context, then the queue.
  grpc::CompletionQueue cq_;
  grpc::ClientContext context_;
  std::unique_ptr<Rpc> rpc_;
  uintptr_t pending_ = 0;
  bool started_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_ASYNC_STREAM_H_
