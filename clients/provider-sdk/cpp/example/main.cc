// hypercall-example-provider: runs CounterProvider (see counter_provider.h)
// against hypercalld until SIGTERM or SIGINT.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "cmdline/parse.h"
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
    "restarts; exits 0 on SIGTERM/SIGINT, 2 on bad arguments.\n";

// The provider's name and how to run it, from the command line; `help`
// when --help asked for the usage. InvalidArgument saying what is wrong.
absl::Status ParseArgs(int argc, char** argv, std::string& name,
                       hypercall::provider::RunnerOptions& options, bool& help) {
  std::string workers;
  CLI::App app;
  hypercall::cmdline::Configure(app);
  app.add_option("--runtime-dir", options.runtime_dir);
  app.add_option("--name", name);
  app.add_option("--workers", workers);
  app.add_flag("--help,-h", help);
  if (absl::Status status =
          hypercall::cmdline::Parse(app, std::vector<std::string>(argv + 1, argv + argc));
      !status.ok()) {
    return status;
  }
  if (options.runtime_dir.empty()) {
    return absl::InvalidArgumentError("--runtime-dir must not be empty");
  }
  if (name.empty()) return absl::InvalidArgumentError("--name must not be empty");
  if (app.count("--workers") > 0) {
    absl::StatusOr<uint64_t> n = hypercall::cmdline::WholeNumber("--workers", workers, 1, 1024);
    if (!n.ok()) return n.status();
    options.workers = static_cast<int>(*n);
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "example";
  hypercall::provider::RunnerOptions options;
  bool help = false;
  if (absl::Status status = ParseArgs(argc, argv, name, options, help); !status.ok()) {
    absl::FPrintF(stderr, "hypercall-example-provider: %s\n\n%s", status.message(), kUsage);
    return 2;
  }
  if (help) {
    absl::PrintF("%s", kUsage);
    return 0;
  }
  hypercall::provider::example::CounterProvider provider(name);
  return hypercall::provider::RunUntilSignalled(provider, options);
}
