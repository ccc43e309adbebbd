// RunUntilSignalled: a Runner whose Stop() comes from SIGTERM or SIGINT,
// taken synchronously by a thread in sigwait(), so no work happens in a
// signal handler.
#include <pthread.h>
#include <signal.h>

#include <thread>

#include "hypercall/provider/runner.h"

namespace hypercall::provider {

int RunUntilSignalled(Provider& provider, RunnerOptions options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Every thread started from here on inherits the mask, so only the
  // waiter below ever takes these signals.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Runner runner(provider, std::move(options));
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    runner.Stop();
  });
  runner.Run();
  waiter.join();
  return 0;
}

}  // namespace hypercall::provider
