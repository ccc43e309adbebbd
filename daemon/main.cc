// hypercalld: parses the command line, reads the config, starts the daemon
// (on the sockets systemd passed, if any), tells systemd it is ready and
// keeps its STATUS= current, reloads the config on SIGHUP, and shuts down
// gracefully on SIGTERM or SIGINT.
#include <signal.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "activated_sockets.h"
#include "base/log.h"
#include "command_line.h"
#include "config/config_file.h"
#include "daemon.h"
#include "provider_setup.h"
#include "providers/provider_registry.h"
#include "service_status.h"
#include "wire/protocol.h"

namespace {

using hypercall::daemon::Log;
using hypercall::daemon::LogLevel;
using hypercall::daemon::WithSocketGroups;

// --check-config: 0 when the file is fine, 1 (saying why) when not.
int CheckConfig(const std::string& path) {
  auto config = hypercall::config::LoadConfigFile(path, hypercall::providers::Catalog());
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  std::printf("%s: OK\n", path.c_str());
  return 0;
}

// SIGHUP: reads the config file again and applies it, or keeps the running
// one and says why.
void Reload(hypercall::daemon::Daemon& daemon, const hypercall::daemon::CommandLine& line) {
  const std::optional<std::string>& path = line.config_path;
  if (!path.has_value()) {
    Log(LogLevel::kWarning, "SIGHUP: no --config file to read again; nothing changes");
    return;
  }
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld",
             static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000);
  auto config = hypercall::config::LoadConfigFile(*path, hypercall::providers::Catalog());
  absl::Status status =
      config.ok() ? daemon.Reload(WithSocketGroups(*std::move(config), line.socket_groups))
                  : config.status();
  if (status.ok()) {
    Log(LogLevel::kInfo, "SIGHUP: reloaded %s", *path);
  } else {
    Log(LogLevel::kError, "SIGHUP: keeping the running config; %s is not usable:\n%s", *path,
        status.message());
  }
  sd_notify(0, "READY=1");
}

// Each connection holds two descriptors (gRPC's and the connection
// limiter's), so limits.max_connections needs more than systemd's default
// soft limit of 1024: take what the hard limit allows.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    Log(LogLevel::kWarning, "cannot raise the descriptor limit to %d", limit.rlim_max);
  }
}

int Run(const hypercall::daemon::CommandLine& line) {
  hypercall::daemon::SetLogLevel(line.log_level);
  // Debian builds Abseil with Mutex deadlock detection on, which costs a
  // global graph update on every lock of the vCPU path. The tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  RaiseDescriptorLimit();

  hypercall::daemon::DaemonOptions options;
  options.runtime_dir = line.runtime_dir;
  options.providers = line.providers;
  // Socket activation: the sockets systemd holds for us, by role.
  auto activated = hypercall::daemon::TakeActivatedSockets();
  if (!activated.ok()) {
    Log(LogLevel::kError, "cannot start: %s", activated.status().message());
    return 1;
  }
  options.activated_sockets = *std::move(activated);
  if (line.config_path.has_value()) {
    auto config =
        hypercall::config::LoadConfigFile(*line.config_path, hypercall::providers::Catalog());
    if (!config.ok()) {
      Log(LogLevel::kError, "cannot start: %s", config.status().message());
      return 1;
    }
    options.config = std::move(*config);
  }
  options.config = WithSocketGroups(std::move(options.config), line.socket_groups);

  // Block the signals main waits for in every thread (gRPC's too).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer vanishing mid-write must not kill the daemon.
  signal(SIGPIPE, SIG_IGN);

  auto daemon = hypercall::daemon::Daemon::Start(options);
  if (!daemon.ok()) {
    Log(LogLevel::kError, "cannot start: %s", daemon.status().message());
    return 1;
  }
  Log(LogLevel::kInfo, "%s ready in %s", hypercall::wire::SoftwareName("hypercalld"),
      line.runtime_dir);
  sd_notify(0, "READY=1");
  hypercall::daemon::StatusNotifier status([&daemon] { return (*daemon)->Status(); });

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    Reload(**daemon, line);
  }
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
  if (line->check_config_path.has_value()) return CheckConfig(*line->check_config_path);
  return Run(*line);
}
