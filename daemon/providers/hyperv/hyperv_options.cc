#include "providers/hyperv/hyperv_options.h"

#include <cstdint>

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

}  // namespace

HvIdentityRegisters IdentityFromOptions(const config::v1::HypervOptions& options) {
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
