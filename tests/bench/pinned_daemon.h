// The real hypercalld, started for the benchmark on a temporary runtime
// directory and pinned (all its threads) to one CPU.
#ifndef HYPERCALL_TESTS_BENCH_PINNED_DAEMON_H_
#define HYPERCALL_TESTS_BENCH_PINNED_DAEMON_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace hypercall::bench {

class PinnedDaemon {
 public:
  // Starts hypercalld (HYPERCALLD_PATH) pinned to `cpu` with warnings-only
  // logging, on a fresh directory under /tmp, and waits up to 10 s for its
  // VMM socket.
  static absl::StatusOr<std::unique_ptr<PinnedDaemon>> Start(int cpu);
  // SIGTERM, wait, and remove the directory.
  ~PinnedDaemon();

  const std::string& runtime_dir() const { return runtime_dir_; }
  pid_t pid() const { return pid_; }

 private:
  PinnedDaemon() = default;
  std::string temp_root_;
  std::string runtime_dir_;
  pid_t pid_ = -1;
};

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_PINNED_DAEMON_H_
