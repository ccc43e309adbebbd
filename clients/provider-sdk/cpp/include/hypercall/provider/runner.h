// Runs a Provider against hypercalld: connects to the provider socket, says
// hello, claims the provider's ranges, and serves calls (many in flight, on a
// pool of worker threads) until stopped. When the daemon goes away, restarts
// or refuses the provider, the runner backs off and connects again, claiming
// the ranges anew; it never spins.
#ifndef HYPERCALL_PROVIDER_RUNNER_H_
#define HYPERCALL_PROVIDER_RUNNER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "hypercall/provider/provider.h"

namespace hypercall::provider {

enum class LogSeverity { kInfo, kWarning, kError };

struct RunnerOptions {
  // The name the daemon's config knows the provider by, sent in the hello;
  // default: provider.name(). (hypercall-provider-host serves a built-in
  // this way under a name other than the built-in's own.)
  std::string name;
  // Directory holding provider.sock.
  std::string runtime_dir = "/run/hypercalld";
  // Threads calling Provider::Handle (calls beyond them wait their turn).
  int workers = 4;
  // Reconnect delay after a lost connection, doubling up to max_backoff. A
  // refused hello or claim waits max_backoff at once.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // On Stop(), how long calls in flight may take to be answered before the
  // stream is closed (the daemon answers the rest NOT_SUPPORTED).
  std::chrono::milliseconds drain_timeout{1000};
  // "name/version" sent in the hello; default "<name>/sdk".
  std::string software;
  // Where log lines go; default: stderr, "<name>: <severity>: ...".
  std::function<void(LogSeverity, const std::string&)> log;
};

// What the runner is doing, for tests and health checks.
enum class RunnerState { kConnecting, kServing, kBackingOff, kStopped };

class Runner {
 public:
  Runner(Provider& provider, RunnerOptions options);
  ~Runner();

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Serves until Stop(), reconnecting as needed. Call from one thread.
  void Run();

  // Makes Run() return after answering the calls in flight (bounded by
  // drain_timeout). Thread-safe; not async-signal-safe (see
  // RunUntilSignalled).
  void Stop();

  RunnerState state() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `provider` until SIGTERM or SIGINT, then shuts down cleanly. Blocks
// those signals in the calling thread before starting any thread, so call it
// from main() before creating threads of your own. Returns 0.
int RunUntilSignalled(Provider& provider, RunnerOptions options);

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_RUNNER_H_
