#include "call_mix.h"

#include "absl/strings/str_format.h"
#include "smccc/function_id.h"
#include "smccc/known_calls.h"

namespace hypercall::demo {
namespace {

constexpr uint64_t kNotSupported64 = ~uint64_t{0};
constexpr uint64_t kNotSupported32 = 0xffffffffu;
constexpr uint32_t kUnownedSipCall = 0xc2000001;

std::string Wrong(const DemoCall& call, const std::string& what) {
  return absl::StrFormat("%s (0x%08x): %s", call.name, call.function_id, what);
}

}  // namespace

const std::array<DemoCall, 6>& CallMix() {
  static const std::array<DemoCall, 6> mix = {{
      {"TRNG_VERSION", smccc::kTrngVersion, 0, smccc::Conduit::kHvc},
      {"TRNG_FEATURES", smccc::kTrngFeatures, smccc::kTrngRnd64, smccc::Conduit::kHvc},
      {"TRNG_GET_UUID", smccc::kTrngGetUuid, 0, smccc::Conduit::kHvc},
      {"TRNG_RND32", smccc::kTrngRnd32, 96, smccc::Conduit::kHvc},
      {"TRNG_RND64", smccc::kTrngRnd64, 192, smccc::Conduit::kSmc},
      {"SiP 0xC2000001 (no owner)", kUnownedSipCall, 0, smccc::Conduit::kHvc},
  }};
  return mix;
}

std::optional<std::string> ResultChecker::Check(const DemoCall& call,
                                                const shim::CallOutcome& outcome,
                                                const shim::SimulatedVcpu& vcpu) {
  const uint64_t x0 = vcpu.x(0);
  const bool smc64 = smccc::IsSmc64(call.function_id);
  const uint64_t not_supported = smc64 ? kNotSupported64 : kNotSupported32;
  if (outcome.disposition != shim::Disposition::kBrokered &&
      outcome.disposition != shim::Disposition::kNotPlanned) {
    // The daemon is away: NOT_SUPPORTED is the promised answer.
    if (x0 == not_supported) return std::nullopt;
    return Wrong(call, absl::StrFormat("daemon unavailable but x0 = 0x%x", x0));
  }
  if (call.function_id == kUnownedSipCall) {
    if (x0 == not_supported) return std::nullopt;
    return Wrong(call, absl::StrFormat("x0 = 0x%x, expected NOT_SUPPORTED", x0));
  }
  if (outcome.disposition != shim::Disposition::kBrokered) {
    return Wrong(call, "not in the forwarding plan");
  }
  switch (call.function_id) {
    case smccc::kTrngVersion:
      if (x0 != 0x10000) return Wrong(call, absl::StrFormat("x0 = 0x%x, expected 0x10000", x0));
      return std::nullopt;
    case smccc::kTrngGetUuid: {
      if (x0 == kNotSupported32) return Wrong(call, "w0 = 0xffffffff (no UUID)");
      const std::array<uint64_t, 4> uuid = {x0, vcpu.x(1), vcpu.x(2), vcpu.x(3)};
      if (!uuid_) uuid_ = uuid;
      if (uuid != *uuid_) return Wrong(call, "the UUID changed between calls");
      return std::nullopt;
    }
    default:
      // FEATURES of an implemented function, RND32, RND64: SUCCESS.
      if (x0 != 0) return Wrong(call, absl::StrFormat("x0 = 0x%x, expected SUCCESS (0)", x0));
      if (!smc64) {
        for (int i = 1; i < smccc::kNumRegisters; ++i) {
          const bool written = (outcome.result.written_mask & (1u << i)) != 0;
          if (written && vcpu.x(i) > 0xffffffffu) {
            return Wrong(call, absl::StrFormat("a 32-bit call wrote 0x%x to x%d", vcpu.x(i), i));
          }
        }
      }
      return std::nullopt;
  }
}

}  // namespace hypercall::demo
