#include "logger.h"

#include <cstdio>

namespace hypercall::shim::internal {
namespace {

// sd-daemon(3) prefixes: <3> error, <4> warning, <6> info.
int SyslogLevel(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kError:
      return 3;
    case LogSeverity::kWarning:
      return 4;
    case LogSeverity::kInfo:
      break;
  }
  return 6;
}

}  // namespace

void Logger::operator()(LogSeverity severity, const std::string& message) const {
  if (sink_) {
    sink_(severity, message);
    return;
  }
  // One fprintf per line: stdio locks the stream, so lines never interleave.
  std::fprintf(stderr, "<%d>hypercall-shim: %s\n", SyslogLevel(severity), message.c_str());
}

}  // namespace hypercall::shim::internal
