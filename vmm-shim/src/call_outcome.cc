#include "hypercall/shim/call_outcome.h"

namespace hypercall::shim {

const char* DispositionName(Disposition d) {
  switch (d) {
    case Disposition::kBrokered:
      return "brokered";
    case Disposition::kNotPlanned:
      return "not-planned";
    case Disposition::kUnavailable:
      return "unavailable";
    case Disposition::kDeadlineExceeded:
      return "deadline-exceeded";
    case Disposition::kBadAddress:
      return "bad-address";
    case Disposition::kMalformedResult:
      return "malformed-result";
  }
  return "unknown";
}

}  // namespace hypercall::shim
