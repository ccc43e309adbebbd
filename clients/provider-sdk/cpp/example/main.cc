// hypercall-example-provider: runs CounterProvider (see counter_provider.h)
// against hypercalld until SIGTERM or SIGINT.
#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"
#include "counter_provider.h"
#include "hypercall/provider/runner.h"

namespace {

constexpr char kUsage[] =
    "Usage: hypercall-example-provider [--runtime-dir DIR] [--name NAME] [--workers N]\n"
    "\n"
    "Serves the example OEM counter service (fast SMC64 0xC3000100-0xC300010F: +0 ECHO,\n"
    "+1 ADD, +2 SLEEP ms, +3 WHO, +4 UPPER with guest memory) as external provider NAME\n"
    "(default \"example\") of the hypercalld whose provider.sock is in DIR (default\n"
    "/run/hypercalld), with N worker threads (default 4). Its config lists three ranges:\n"
    "+0..+3 and +5..+15 reading x1..x3, and +4 reading x1, x2 with UPPER's two memory\n"
    "operands (x1 -> 64 bytes in, x2 -> 64 bytes out). Reconnects when the daemon\n"
    "restarts; exits 0 on SIGTERM/SIGINT.\n";

bool ParseArgs(int argc, char** argv, std::string& name,
               hypercall::provider::RunnerOptions& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (flag == "--runtime-dir" && !value.empty()) {
      options.runtime_dir = value;
    } else if (flag == "--name" && !value.empty()) {
      name = value;
    } else if (flag == "--workers") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 1024) return false;
      options.workers = static_cast<int>(n);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "example";
  hypercall::provider::RunnerOptions options;
  if (!ParseArgs(argc, argv, name, options)) {
    absl::FPrintF(stderr, "%s", kUsage);
    return 2;
  }
  hypercall::provider::example::CounterProvider provider(name);
  return hypercall::provider::RunUntilSignalled(provider, options);
}
