#include "hypercallctl/interrupt_watcher.h"

#include <pthread.h>

namespace hypercall::ctl {

InterruptWatcher::InterruptWatcher() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
}

InterruptWatcher::~InterruptWatcher() {
  Stop();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void InterruptWatcher::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  if (!woken_) pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void InterruptWatcher::Start(std::function<void()> on_interrupt) {
  thread_ = std::thread([this, on_interrupt = std::move(on_interrupt)] {
    int signal = 0;
    sigwait(&signals_, &signal);
    woken_ = true;
    if (stopping_) return;
    interrupted_ = true;
    on_interrupt();
  });
}

}  // namespace hypercall::ctl
