#include "providers/kvm_discover/kvm_discover_options.h"

#include "absl/strings/str_format.h"

namespace hypercall::providers::kvm_discover {

void CheckOptions(const KvmDiscoverOptions& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems) {
  if (options.implementation().empty()) {
    problems.push_back(place.Problem(kNeedsImplementations));
    return;
  }
  if (options.has_version() && options.version() >> 16 != 1) {
    problems.push_back(place.Field("version").Problem(absl::StrFormat(
        "version 0x%x is major version %u; the major version must be 1 (write 0x1xxxx; default "
        "0x10000), the only one a Linux guest reads",
        options.version(), options.version() >> 16)));
  }
  for (int i = 0; i < options.implementation_size(); ++i) {
    const CpuImplementation& cpu = options.implementation(i);
    const config::Place cpu_place = place.Field("implementation", i);
    if (!cpu.has_midr()) {
      problems.push_back(cpu_place.Problem(
          absl::StrFormat("implementation %d needs its midr (MIDR_EL1 of that CPU)", i)));
    } else if (cpu.midr() >> 32 != 0) {
      problems.push_back(cpu_place.Field("midr").Problem(absl::StrFormat(
          "midr 0x%x has bits above 31 set; MIDR_EL1 bits 63:32 are RES0", cpu.midr())));
    }
  }
}

}  // namespace hypercall::providers::kvm_discover
