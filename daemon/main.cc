// hypercalld: parses the command line, starts the daemon, tells systemd it
// is ready, and shuts down gracefully on SIGTERM or SIGINT.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "command_line.h"
#include "daemon.h"
#include "log.h"
#include "wire/protocol.h"

namespace {

using hypercall::daemon::Log;
using hypercall::daemon::LogLevel;

int Run(const hypercall::daemon::CommandLine& line) {
  hypercall::daemon::SetLogLevel(line.log_level);
  // Debian builds Abseil with Mutex deadlock detection on, which costs a
  // global graph update on every lock of the vCPU path. The tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the stop signals in every thread (gRPC's too); main waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A peer vanishing mid-write must not kill the daemon.
  signal(SIGPIPE, SIG_IGN);

  hypercall::daemon::DaemonOptions options;
  options.runtime_dir = line.runtime_dir;
  options.providers = line.providers;
  auto daemon = hypercall::daemon::Daemon::Start(options);
  if (!daemon.ok()) {
    Log(LogLevel::kError, "cannot start: %s", daemon.status().message());
    return 1;
  }
  Log(LogLevel::kInfo, "%s ready in %s", hypercall::wire::SoftwareName("hypercalld"),
      line.runtime_dir);
  sd_notify(0, "READY=1");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(LogLevel::kInfo, "%s received: stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  (*daemon)->Shutdown();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto line = hypercall::daemon::ParseCommandLine(args);
  if (!line.ok()) {
    std::fprintf(stderr, "hypercalld: %s\n%s", std::string(line.status().message()).c_str(),
                 "Try 'hypercalld --help'.\n");
    return 2;
  }
  if (line->show_help) {
    std::fputs(hypercall::daemon::Usage().c_str(), stdout);
    return 0;
  }
  if (line->show_version) {
    std::printf("%s\n", hypercall::wire::SoftwareName("hypercalld").c_str());
    return 0;
  }
  return Run(*line);
}
