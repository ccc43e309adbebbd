#include "demo_options.h"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "cmdline/parse.h"

namespace hypercall::demo {
namespace {

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

std::string DemoUsage() {
  return "Usage: hypercall-demo-vm [--runtime-dir DIR] [--name NAME] [--vcpus N] [--rate R]\n"
         "                         [--duration SECONDS] [--summary-every SECONDS]\n"
         "                         [--attach-timeout SECONDS]\n"
         "\n"
         "A VM of simulated vCPUs that attaches to hypercalld through libhypercall-shim and\n"
         "makes a steady mix of TRNG calls (and one ID nobody owns), checking each result.\n"
         "\n"
         "  --runtime-dir DIR         the daemon's socket directory (default " +
         std::string(wire::kDefaultRuntimeDir) +
         ")\n"
         "  --name NAME               the VM's name (default demo)\n"
         "  --vcpus N                 simulated vCPUs, 1..64 (default 2)\n"
         "  --rate R                  calls per second per vCPU, 0.1..100000 (default 5)\n"
         "  --duration SECONDS        stop after this long; 0 = until SIGINT/SIGTERM (default 0)\n"
         "  --summary-every SECONDS   seconds between summary lines (default 5)\n"
         "  --attach-timeout SECONDS  how long to wait for the daemon (default 5)\n"
         "\n"
         "Exit status: 0 when every answer was right, 1 when any was wrong, 2 on bad usage\n"
         "or when the VM could not attach.\n";
}

absl::StatusOr<DemoOptions> ParseDemoOptions(const std::vector<std::string>& args) {
  DemoOptions options;
  CLI::App app;
  cmdline::Configure(app);
  std::string vcpus, rate, duration, summary_every, attach_timeout;
  app.add_option("--runtime-dir", options.runtime_dir);
  app.add_option("--name", options.name);
  app.add_option("--vcpus", vcpus);
  app.add_option("--rate", rate);
  app.add_option("--duration", duration);
  app.add_option("--summary-every", summary_every);
  app.add_option("--attach-timeout", attach_timeout);
  app.add_flag("--help,-h", options.show_help);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;

  if (app.count("--runtime-dir") > 0 && options.runtime_dir.empty()) {
    return absl::InvalidArgumentError("--runtime-dir must not be empty");
  }
  struct Number {
    const char* flag;
    const std::string& text;
    double min, max;
    double& value;
  };
  double vcpu_count = options.vcpus;
  const Number numbers[] = {
      {"--vcpus", vcpus, 1, 64, vcpu_count},
      {"--rate", rate, 0.1, 100000, options.rate},
      {"--duration", duration, 0, 1e9, options.duration_s},
      {"--summary-every", summary_every, 0.1, 3600, options.summary_interval_s},
      {"--attach-timeout", attach_timeout, 0.1, 3600, options.attach_timeout_s},
  };
  for (const Number& number : numbers) {
    if (app.count(number.flag) == 0) continue;
    std::optional<double> n = ParseNumber(number.text);
    if (!n || *n < number.min || *n > number.max) {
      return absl::InvalidArgumentError(
          std::string(number.flag) + " must be a number from " + std::to_string(number.min) +
          " to " + std::to_string(number.max) + " (got '" + number.text + "')");
    }
    number.value = *n;
  }
  if (vcpu_count != std::floor(vcpu_count)) {
    return absl::InvalidArgumentError("--vcpus must be a whole number");
  }
  options.vcpus = static_cast<int>(vcpu_count);
  return options;
}

}  // namespace hypercall::demo
