// Turns Ctrl-C (SIGINT) and SIGTERM into a callback on a thread of its own,
// so `trace` can cancel its blocking gRPC read and exit cleanly instead of
// dying mid-line.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_INTERRUPT_WATCHER_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_INTERRUPT_WATCHER_H_

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace hypercall::ctl {

class InterruptWatcher {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
  // started after it. REQUIRES: no other thread runs yet (gRPC starts its
  // own when the first channel or ClientContext is made).
  InterruptWatcher();
  // Stop(), then restores the signal mask.
  ~InterruptWatcher();

  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  // Calls `on_interrupt` (on the watcher's thread) at the first SIGINT or
  // SIGTERM, including one that arrived before Start. Call at most once.
  void Start(std::function<void()> on_interrupt);

  // Stops the watching thread: after it returns the callback is not running
  // and will not run. Call it before what the callback uses goes away.
  void Stop();

  // Whether a signal arrived (and the callback ran or is running).
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t signals_;
  sigset_t previous_mask_;
  std::thread thread_;
  std::atomic<bool> interrupted_ = false;
  // Set by the destructor: the next signal only wakes the thread to exit.
  std::atomic<bool> stopping_ = false;
  // Set by the thread once sigwait returned: no need to wake it.
  std::atomic<bool> woken_ = false;
};

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_INTERRUPT_WATCHER_H_
