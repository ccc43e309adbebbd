// hypercall-demo-vm's command line: which daemon, what VM, how busy.
#ifndef HYPERCALL_VMM_SHIM_DEMO_DEMO_OPTIONS_H_
#define HYPERCALL_VMM_SHIM_DEMO_DEMO_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wire/runtime_dir.h"

namespace hypercall::demo {

struct DemoOptions {
  // The daemon's socket directory.
  std::string runtime_dir = std::string(wire::kDefaultRuntimeDir);
  // The VM's attach name.
  std::string name = "demo";
  // Simulated vCPUs, each on its own thread and stream (1..64).
  int vcpus = 2;
  // Calls per second per vCPU: slow enough to read in a live trace.
  double rate = 5.0;
  // Seconds to run; 0 runs until SIGINT/SIGTERM.
  double duration_s = 0;
  // Seconds between summary lines.
  double summary_interval_s = 5.0;
  // Seconds to wait for the daemon to accept the attach.
  double attach_timeout_s = 5.0;
  bool show_help = false;
};

std::string DemoUsage();

// `args` without the program name. InvalidArgument saying which flag is
// wrong and why.
absl::StatusOr<DemoOptions> ParseDemoOptions(const std::vector<std::string>& args);

}  // namespace hypercall::demo

#endif  // HYPERCALL_VMM_SHIM_DEMO_DEMO_OPTIONS_H_
