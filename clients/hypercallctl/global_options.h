// hypercallctl's global options: how to reach the daemon and how to print.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_GLOBAL_OPTIONS_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_GLOBAL_OPTIONS_H_

#include <cstdint>
#include <string>

#include "wire/runtime_dir.h"

namespace hypercall::ctl {

struct GlobalOptions {
  // --runtime-dir: where the daemon's sockets live; the daemon's default.
  std::string runtime_dir{wire::kDefaultRuntimeDir};
  // --json: machine-readable output instead of aligned tables.
  bool json = false;
  // --timeout: deadline of every request to the daemon, in seconds.
  uint64_t timeout_seconds = 5;
};

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_GLOBAL_OPTIONS_H_
