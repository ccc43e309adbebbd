#include "config/builtin_options_check.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace hypercall::config {
namespace {

// Adds a problem when `field`, if set, is above `max`.
void CheckAtMost(const char* field, bool present, uint32_t value, uint32_t max, const Place& place,
                 std::vector<ConfigProblem>& problems) {
  if (!present || value <= max) return;
  problems.push_back(place.Field(field).Problem(
      absl::StrFormat("%s %u does not fit its field: at most %u (0x%x)", field, value, max, max)));
}

void CheckHyperv(const v1::HypervOptions& options, const Place& place,
                 std::vector<ConfigProblem>& problems) {
  CheckAtMost("major_version", options.has_major_version(), options.major_version(), 0xffff, place,
              problems);
  CheckAtMost("minor_version", options.has_minor_version(), options.minor_version(), 0xffff, place,
              problems);
  CheckAtMost("service_branch", options.has_service_branch(), options.service_branch(), 0xff, place,
              problems);
  CheckAtMost("service_number", options.has_service_number(), options.service_number(), 0xffffff,
              place, problems);
}

void CheckKvmDiscover(const v1::Builtin& builtin, const Place& place,
                      std::vector<ConfigProblem>& problems) {
  if (!builtin.has_kvm_discover() || builtin.kvm_discover().implementation().empty()) {
    const Place at = builtin.has_kvm_discover() ? place.Field("kvm_discover") : place;
    problems.push_back(at.Problem(
        "built-in provider \"kvm_discover\" needs the CPU implementations a VM may run on: "
        "builtin { kvm_discover { implementation { midr: 0x... revidr: 0x... aidr: 0x... } } }, "
        "one implementation block each"));
    return;
  }
  const v1::KvmDiscoverOptions& options = builtin.kvm_discover();
  const Place options_place = place.Field("kvm_discover");
  if (options.has_version() && options.version() >> 16 != 1) {
    problems.push_back(options_place.Field("version").Problem(absl::StrFormat(
        "version 0x%x is major version %u; the major version must be 1 (write 0x1xxxx; default "
        "0x10000), the only one a Linux guest reads",
        options.version(), options.version() >> 16)));
  }
  for (int i = 0; i < options.implementation_size(); ++i) {
    const v1::CpuImplementation& cpu = options.implementation(i);
    const Place cpu_place = options_place.Field("implementation", i);
    if (!cpu.has_midr()) {
      problems.push_back(cpu_place.Problem(
          absl::StrFormat("implementation %d needs its midr (MIDR_EL1 of that CPU)", i)));
    } else if (cpu.midr() >> 32 != 0) {
      problems.push_back(cpu_place.Field("midr").Problem(absl::StrFormat(
          "midr 0x%x has bits above 31 set; MIDR_EL1 bits 63:32 are RES0", cpu.midr())));
    }
  }
}

}  // namespace

std::vector<ConfigProblem> CheckBuiltinOptions(const std::string& name, const v1::Builtin& builtin,
                                               const Place& place) {
  std::vector<ConfigProblem> problems;
  const google::protobuf::OneofDescriptor* oneof =
      v1::Builtin::descriptor()->FindOneofByName("options");
  const google::protobuf::FieldDescriptor* block =
      builtin.GetReflection()->GetOneofFieldDescriptor(builtin, oneof);
  if (block != nullptr && block->name() != name) {
    const bool takes_options = v1::Builtin::descriptor()->FindFieldByName(name) != nullptr;
    problems.push_back(
        place.Field(block->name().c_str())
            .Problem(absl::StrFormat(
                "a \"%s { ... }\" block is for built-in provider \"%s\", not \"%s\"%s",
                block->name(), block->name(), name,
                takes_options ? absl::StrFormat(": write \"%s { ... }\"", name)
                              : std::string(", which takes no options: write \"builtin {}\""))));
    return problems;
  }
  if (name == "hyperv" && builtin.has_hyperv()) {
    CheckHyperv(builtin.hyperv(), place.Field("hyperv"), problems);
  } else if (name == "kvm_discover") {
    CheckKvmDiscover(builtin, place, problems);
  }
  return problems;
}

}  // namespace hypercall::config
