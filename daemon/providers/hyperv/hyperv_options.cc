#include "providers/hyperv/hyperv_options.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace hypercall::providers::hyperv {
namespace {

// A 128-bit value from its u32 words a (bits 31:0) .. d (bits 127:96), as
// Linux's hv_get_vp_registers_output.as32 reads it.
HvRegisterValue FromWords(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return {.low = a | uint64_t{b} << 32, .high = c | uint64_t{d} << 32};
}

uint32_t Word(const HvRegisterValue& value, int index) {
  const uint64_t half = index < 2 ? value.low : value.high;
  return static_cast<uint32_t>(index % 2 == 0 ? half : half >> 32);
}

// Adds a problem when `field`, if set, is above `max`.
void CheckAtMost(const char* field, bool present, uint32_t value, uint32_t max,
                 const config::Place& place, std::vector<config::ConfigProblem>& problems) {
  if (!present || value <= max) return;
  problems.push_back(place.Field(field).Problem(
      absl::StrFormat("%s %u does not fit its field: at most %u (0x%x)", field, value, max, max)));
}

}  // namespace

void CheckOptions(const HypervOptions& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems) {
  CheckAtMost("major_version", options.has_major_version(), options.major_version(), 0xffff, place,
              problems);
  CheckAtMost("minor_version", options.has_minor_version(), options.minor_version(), 0xffff, place,
              problems);
  CheckAtMost("service_branch", options.has_service_branch(), options.service_branch(), 0xff, place,
              problems);
  CheckAtMost("service_number", options.has_service_number(), options.service_number(), 0xffffff,
              place, problems);
}

HvIdentityRegisters IdentityFromOptions(const HypervOptions& options) {
  // The defaults, word by word, for the fields left out.
  const uint32_t build = Word(kHypervisorVersion, 0);
  const uint32_t major = Word(kHypervisorVersion, 1) >> 16;
  const uint32_t minor = Word(kHypervisorVersion, 1) & 0xffff;
  const uint32_t service_pack = Word(kHypervisorVersion, 2);
  const uint32_t branch = Word(kHypervisorVersion, 3) >> 24;
  const uint32_t service_number = Word(kHypervisorVersion, 3) & 0xffffff;

  HvIdentityRegisters identity;
  identity.hypervisor_version =
      FromWords(options.has_build_number() ? options.build_number() : build,
                (options.has_major_version() ? options.major_version() : major) << 16 |
                    (options.has_minor_version() ? options.minor_version() : minor),
                options.has_service_pack() ? options.service_pack() : service_pack,
                (options.has_service_branch() ? options.service_branch() : branch) << 24 |
                    (options.has_service_number() ? options.service_number() : service_number));
  identity.privileges_and_features = FromWords(
      options.has_privileges_low() ? options.privileges_low() : Word(kPrivilegesAndFeatures, 0),
      options.has_privileges_high() ? options.privileges_high() : Word(kPrivilegesAndFeatures, 1),
      options.has_misc_features() ? options.misc_features() : Word(kPrivilegesAndFeatures, 2), 0);
  identity.features_info =
      FromWords(options.has_hints() ? options.hints() : Word(kFeaturesInfo, 0), 0, 0, 0);
  return identity;
}

}  // namespace hypercall::providers::hyperv
