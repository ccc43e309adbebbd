// hypercall-vmm: the reference VMM for hypercalld. It runs an arm64 guest (a
// raw binary or a Linux Image) on KVM with a GICv3, the arch timer, an
// ns16550a console and an exit device, and hands every SMCCC call in the
// daemon's forwarding plan to hypercalld through libhypercall-shim.
// Read Run() top to bottom: it is the whole machine, in the order it is built.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "call_stats.h"
#include "exit_device.h"
#include "gic_v3.h"
#include "guest_boot.h"
#include "guest_ram.h"
#include "host_console.h"
#include "hypercall/shim/kvm_install.h"
#include "hypercall/shim/kvm_smccc_filter.h"
#include "hypercall/shim/shim.h"
#include "kvm_uapi.h"
#include "kvm_vcpu.h"
#include "kvm_vm.h"
#include "mmio_bus.h"
#include "platform.h"
#include "uart_16550.h"
#include "vcpu_threads.h"
#include "vm_stop.h"
#include "vmm_options.h"
#include "wire/protocol.h"

namespace hypercall::vmm {
namespace {

#if defined(__aarch64__)
constexpr bool kArm64Host = true;
#else
constexpr bool kArm64Host = false;
#endif

int Fail(const std::string& message) {
  absl::FPrintF(stderr, "hypercall-vmm: %s\n", message);
  return 1;
}
int Fail(const absl::Status& status) { return Fail(std::string(status.message())); }

int Run(const VmmOptions& options) {
  if (!kArm64Host) {
    return Fail(
        "this build is not for arm64: hypercall-vmm runs arm64 guests on arm64 KVM only; "
        "use the aarch64 build (see vmm-shim/README.md)");
  }
  // Before the shim starts any thread: signals are taken by this thread only.
  const sigset_t signals = BlockVmmSignals();

  // 1. What the guest boots, and where it goes in RAM (fails early if it does not fit).
  absl::StatusOr<GuestBoot> boot = PlanGuestBoot(options);
  if (!boot.ok()) return Fail(boot.status());

  // 2. The VM. Without the SMCCC filter there is nothing to broker: say so
  // before bothering the daemon.
  absl::StatusOr<std::unique_ptr<KvmVm>> vm = KvmVm::Create();
  if (!vm.ok()) return Fail(vm.status());
  shim::KvmSmcccFilter filter((*vm)->fd());
  if (absl::Status s = filter.Probe(); !s.ok()) return Fail(s);

  // 3. RAM: one memslot, with the images and the device tree written into it
  // through the bounds-checked view the shim later uses for memory operands.
  absl::StatusOr<RamMapping> ram_mapping = RamMapping::Create(boot->ram.end - boot->ram.start);
  if (!ram_mapping.ok()) return Fail(ram_mapping.status());
  absl::StatusOr<shim::MappedGuestMemory> ram =
      shim::MappedGuestMemory::Create({ram_mapping->At(boot->ram.start)});
  if (!ram.ok()) return Fail(ram.status());
  if (absl::Status s = (*vm)->AddRam(boot->ram.start, ram_mapping->bytes()); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = WriteGuestBoot(*boot, options.cpus, *ram); !s.ok()) return Fail(s);

  // 3b. The stolen-time region: zeroed memory in a memslot of its own, which
  // KVM must see before a record's address is set; not RAM to the guest (not
  // in the device tree, not guest memory for memory operands).
  std::optional<RamMapping> stolen_time;
  if (options.stolen_time) {
    absl::StatusOr<RamMapping> mapping = RamMapping::Create(platform::kStolenTimeSize);
    if (!mapping.ok()) {
      return Fail(absl::StrFormat("the stolen-time region: %s; or run with --no-stolen-time",
                                  mapping.status().message()));
    }
    stolen_time = *std::move(mapping);
    if (absl::Status s =
            (*vm)->AddStolenTimeRegion(platform::kStolenTimeBase, stolen_time->bytes());
        !s.ok()) {
      return Fail(s);
    }
  }

  // 4. The interrupt controller: created before the vCPUs, initialised after.
  absl::StatusOr<GicV3> gic = GicV3::Create((*vm)->fd());
  if (!gic.ok()) return Fail(gic.status());

  // 5. Attach to hypercalld, which plans the VM's calls (and, when it
  // forwards PV time, each vCPU's stolen-time record). The shim copies memory
  // operands in and out of `ram` (which outlives it).
  shim::VmDescription description;
  description.name =
      options.name.empty() ? absl::StrFormat("hypercall-vmm-%d", getpid()) : options.name;
  description.vcpu_count = options.cpus;
  description.ram = {{boot->ram.start, boot->ram.end - boot->ram.start}};
  if (stolen_time) description.stolen_time = {platform::kStolenTimeBase, platform::kStolenTimeSize};
  shim::ShimOptions shim_options;
  shim_options.runtime_dir = options.runtime_dir;
  shim_options.call_deadline = std::chrono::milliseconds(options.call_deadline_ms);
  shim_options.software = wire::SoftwareName("hypercall-vmm");
  absl::StatusOr<std::unique_ptr<shim::Shim>> shim =
      shim::Shim::Connect(description, shim_options, &*ram);
  if (!shim.ok()) {
    return Fail(absl::StrFormat(
        "cannot attach VM '%s' to hypercalld: %s; start hypercalld --runtime-dir %s (or pass "
        "the --runtime-dir it uses)",
        description.name, shim.status().message(), options.runtime_dir));
  }

  // 6. vCPUs: 0 starts at the entry point with x0 = the device tree; the
  // others stay off until the guest starts them with PSCI CPU_ON.
  absl::StatusOr<kvm::VcpuInit> target = (*vm)->PreferredTarget();
  if (!target.ok()) return Fail(target.status());
  std::vector<std::unique_ptr<KvmVcpu>> vcpus;
  for (uint32_t i = 0; i < options.cpus; ++i) {
    absl::StatusOr<std::unique_ptr<KvmVcpu>> vcpu = KvmVcpu::Create(**vm, i, *target);
    if (!vcpu.ok()) return Fail(vcpu.status());
    vcpus.push_back(*std::move(vcpu));
  }

  // 6b. The plan into KVM, now that every vCPU is initialised and before any
  // runs: SMCCC filter ranges, firmware bitmaps (what KVM announces matches
  // what the daemon answers), each vCPU's stolen-time record.
  std::vector<int> vcpu_fds;
  for (const auto& vcpu : vcpus) vcpu_fds.push_back(vcpu->fd());
  absl::StatusOr<shim::KvmInstallReport> installed =
      shim::InstallPlanInKvm((*shim)->plan(), (*vm)->fd(), vcpu_fds);
  if (!installed.ok()) {
    return Fail(absl::StrFormat(
        "cannot install hypercalld's plan in KVM: %s%s", installed.status().message(),
        (*shim)->plan().stolen_time_records().empty() ? ""
                                                      : " (--no-stolen-time leaves PV time out)"));
  }
  for (const std::string& note : installed->notes) {
    absl::FPrintF(stderr, "hypercall-vmm: %s\n", note);
  }
  if (absl::Status s = gic->Initialize(); !s.ok()) return Fail(s);
  if (absl::Status s = vcpus[0]->SetRegister(kvm::kRegPc, boot->layout.entry); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = vcpus[0]->SetRegister(kvm::CoreRegisterId(0), boot->layout.dtb.start);
      !s.ok()) {
    return Fail(s);
  }

  // 7. Devices: the console UART (its interrupt through the GIC) and the exit device.
  VmStop stop(pthread_self());
  const KvmVm& vm_ref = **vm;
  Uart16550 uart(TransmitToStdout, [&vm_ref](bool level) {
    if (absl::Status s = vm_ref.SetSpiLevel(platform::kUartSpi, level); !s.ok()) {
      absl::FPrintF(stderr, "hypercall-vmm: UART interrupt: %s\n", s.message());
    }
  });
  ExitDevice exit_device([&stop](int status, uint64_t value) {
    stop.Request(status, absl::StrFormat("the guest wrote 0x%x to the exit device", value));
  });
  MmioBus bus;
  if (absl::Status s = bus.Add(platform::kUartBase, platform::kUartSize, uart, "uart"); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s =
          bus.Add(platform::kExitDeviceBase, platform::kExitDeviceSize, exit_device, "exit device");
      !s.ok()) {
    return Fail(s);
  }
  StdinFeeder stdin_feeder(uart);

  // 8. Run one thread per vCPU until the guest, an error or a signal stops the VM.
  VcpuThreads threads(vcpus, VcpuEnvironment{**shim, bus, stop, options.stats});
  while (!stop.requested()) {
    int sig = 0;
    if (sigwait(&signals, &sig) == 0 && sig != VmStop::kWakeSignal) {
      stop.Request(128 + sig, absl::StrFormat("stopped by signal %s", sigabbrev_np(sig)));
    }
  }
  const CallStats stats = threads.StopAndJoin();
  absl::FPrintF(stderr, "hypercall-vmm: %s; exit status %d\n", stop.reason(), stop.status());
  if (options.stats) {
    absl::FPrintF(stderr, "hypercall-vmm: hypercalls by function:\n%s", stats.FormatTable());
  }
  return stop.status();
}

}  // namespace
}  // namespace hypercall::vmm

int main(int argc, char** argv) {
  absl::StatusOr<hypercall::vmm::VmmOptions> options =
      hypercall::vmm::ParseVmmOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::fprintf(stderr, "hypercall-vmm: %s\n%s", std::string(options.status().message()).c_str(),
                 hypercall::vmm::VmmUsage().c_str());
    return 2;
  }
  if (options->show_help) {
    std::printf("%s", hypercall::vmm::VmmUsage().c_str());
    return 0;
  }
  return hypercall::vmm::Run(*options);
}
