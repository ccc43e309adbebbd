// A fixed pool of threads running queued tasks in order of arrival: where the
// runner calls Provider::Handle, so a handler that blocks holds up one worker
// and not the stream.
#ifndef HYPERCALL_PROVIDER_SRC_WORK_QUEUE_H_
#define HYPERCALL_PROVIDER_SRC_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace hypercall::provider {

class WorkQueue {
 public:
  // Starts `threads` workers (at least one).
  explicit WorkQueue(int threads);
  // Runs the tasks still queued, then joins the workers.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Push(std::function<void()> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_SRC_WORK_QUEUE_H_
