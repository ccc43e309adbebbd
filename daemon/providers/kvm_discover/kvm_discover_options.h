// The kvm_discover provider's options (kvm_discover_options.proto): the
// checks that name the line to fix (it needs at least one implementation, a
// major version of 1, MIDRs of 32 bits), and the implementations they give.
#ifndef HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_OPTIONS_H_
#define HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_OPTIONS_H_

#include <vector>

#include "config/config_place.h"
#include "config/config_problem.h"
#include "providers/kvm_discover/kvm_discover_options.pb.h"

namespace hypercall::providers::kvm_discover {

// What to write when the options give no implementation.
inline constexpr char kNeedsImplementations[] =
    "built-in provider \"kvm_discover\" needs the CPU implementations a VM may run on: "
    "builtin { [options/kvm_discover] { implementation { midr: 0x... revidr: 0x... aidr: 0x... "
    "} } }, one implementation block each";

// Appends the problems of `options`, whose block is at `place`.
void CheckOptions(const KvmDiscoverOptions& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems);

}  // namespace hypercall::providers::kvm_discover

#endif  // HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_OPTIONS_H_
