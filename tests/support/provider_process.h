// Runs a provider program (the SDK examples) as its own process for tests
// and the benchmark: started with extra environment, its stderr in a log
// file, signalled and reaped by pid.
#ifndef HYPERCALL_TESTS_SUPPORT_PROVIDER_PROCESS_H_
#define HYPERCALL_TESTS_SUPPORT_PROVIDER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hypercall::testing {

class ProviderProcess {
 public:
  struct Options {
    std::vector<std::string> argv;
    // "NAME=value" entries added to this process's environment.
    std::vector<std::string> env;
    // stderr and stdout go here (appended).
    std::string log_path;
    // Pins the process to this CPU; -1: no pinning.
    int cpu = -1;
  };

  static absl::StatusOr<std::unique_ptr<ProviderProcess>> Start(const Options& options);
  // SIGKILLs the process if it still runs and reaps it.
  ~ProviderProcess();

  ProviderProcess(const ProviderProcess&) = delete;
  ProviderProcess& operator=(const ProviderProcess&) = delete;

  void Signal(int signal);
  // Waits up to `timeout_ms` for the process to end; its waitpid status, or
  // nullopt on timeout.
  std::optional<int> Wait(int timeout_ms);
  pid_t pid() const { return pid_; }
  // What the process wrote so far.
  std::string Log() const;

 private:
  explicit ProviderProcess(std::string log_path) : log_path_(std::move(log_path)) {}

  const std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_PROVIDER_PROCESS_H_
