// A VMM built out of tree against the installed libhypercall-shim: attaches a
// one-vCPU VM to the hypercalld under RUNTIME_DIR and issues 0xC3000001 with
// x1 = 41 on a simulated vCPU until it is brokered with x0 = 0 and x1 = 42
// (tiny_provider's answer), for up to 10 s. Exit 0 on that answer, 1 otherwise.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tiny_vmm RUNTIME_DIR\n");
    return 2;
  }
  hypercall::shim::VmDescription vm;
  vm.name = "tiny-vmm";
  vm.ram = {{0x80000000, 0x100000}};
  hypercall::shim::ShimOptions options;
  options.runtime_dir = argv[1];
  options.software = "tiny-vmm/1";
  auto shim = hypercall::shim::Shim::Connect(vm, options);
  if (!shim.ok()) {
    std::fprintf(stderr, "tiny_vmm: %s\n", shim.status().ToString().c_str());
    return 1;
  }
  hypercall::shim::SimulatedVcpu vcpu;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    vcpu.Issue(0xC3000001, {41});
    auto outcome = (*shim)->HandleHypercall(0, vcpu);
    if (!outcome.ok()) {
      std::fprintf(stderr, "tiny_vmm: %s\n", outcome.status().ToString().c_str());
      return 1;
    }
    if (outcome->disposition == hypercall::shim::Disposition::kBrokered && vcpu.x(0) == 0 &&
        vcpu.x(1) == 42) {
      std::printf("tiny_vmm: 0xC3000001(41) = 42 via %s\n",
                  hypercall::shim::DispositionName(outcome->disposition));
      return 0;
    }
    // The provider may not have claimed its range yet: the daemon answers
    // NOT_SUPPORTED meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "tiny_vmm: no answer 42 within 10 s (last x0 0x%llx)\n",
               static_cast<unsigned long long>(vcpu.x(0)));
  return 1;
}
