#include "demo_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

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
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") {
      options.show_help = true;
      continue;
    }
    static const char* const kFlags[] = {"--runtime-dir",   "--name",     "--vcpus",
                                         "--rate",          "--duration", "--summary-every",
                                         "--attach-timeout"};
    if (std::find(std::begin(kFlags), std::end(kFlags), flag) == std::end(kFlags)) {
      return absl::InvalidArgumentError("unknown argument '" + args[i] + "'");
    }
    if (!value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(flag + " needs a value");
      value = args[++i];
    }
    auto number = [&](double min, double max) -> absl::StatusOr<double> {
      std::optional<double> n = ParseNumber(*value);
      if (!n || *n < min || *n > max) {
        return absl::InvalidArgumentError(flag + " must be a number from " + std::to_string(min) +
                                          " to " + std::to_string(max) + " (got '" + *value + "')");
      }
      return *n;
    };
    if (flag == "--runtime-dir") {
      if (value->empty()) return absl::InvalidArgumentError("--runtime-dir must not be empty");
      options.runtime_dir = *value;
    } else if (flag == "--name") {
      options.name = *value;
    } else if (flag == "--vcpus") {
      absl::StatusOr<double> n = number(1, 64);
      if (!n.ok()) return n.status();
      if (*n != std::floor(*n)) return absl::InvalidArgumentError("--vcpus must be a whole number");
      options.vcpus = static_cast<int>(*n);
    } else if (flag == "--rate") {
      absl::StatusOr<double> n = number(0.1, 100000);
      if (!n.ok()) return n.status();
      options.rate = *n;
    } else if (flag == "--duration") {
      absl::StatusOr<double> n = number(0, 1e9);
      if (!n.ok()) return n.status();
      options.duration_s = *n;
    } else if (flag == "--summary-every") {
      absl::StatusOr<double> n = number(0.1, 3600);
      if (!n.ok()) return n.status();
      options.summary_interval_s = *n;
    } else {  // --attach-timeout
      absl::StatusOr<double> n = number(0.1, 3600);
      if (!n.ok()) return n.status();
      options.attach_timeout_s = *n;
    }
  }
  return options;
}

}  // namespace hypercall::demo
