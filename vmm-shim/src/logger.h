// The shim's log lines: to the VMM's callback when it gave one
// (ShimOptions::log), else to stderr with syslog-style level prefixes that
// journald understands.
#ifndef HYPERCALL_VMM_SHIM_SRC_LOGGER_H_
#define HYPERCALL_VMM_SHIM_SRC_LOGGER_H_

#include <functional>
#include <string>

#include "hypercall/shim/options.h"

namespace hypercall::shim::internal {

class Logger {
 public:
  explicit Logger(std::function<void(LogSeverity, const std::string&)> sink)
      : sink_(std::move(sink)) {}
  // Thread-safe when the sink is.
  void operator()(LogSeverity severity, const std::string& message) const;

 private:
  std::function<void(LogSeverity, const std::string&)> sink_;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_LOGGER_H_
