#include "vmm_options.h"

#include "absl/strings/str_format.h"
#include "cmdline/parse.h"

namespace hypercall::vmm {

std::string VmmUsage() {
  return absl::StrFormat(
      "Usage: hypercall-vmm [options] --guest FILE\n"
      "       hypercall-vmm [options] --kernel IMAGE [--initrd FILE] [--append CMDLINE]\n"
      "\n"
      "Runs an arm64 guest on KVM with its SMCCC hypercalls brokered by hypercalld.\n"
      "\n"
      "  --guest FILE            raw binary loaded at 0x%x; vCPU 0 starts there, x0 = DTB\n"
      "  --kernel IMAGE          Linux arm64 Image (arm64 boot protocol)\n"
      "  --initrd FILE           initrd for --kernel\n"
      "  --append CMDLINE        kernel command line for --kernel (console: console=ttyS0)\n"
      "  --name NAME             the VM's name at the daemon (default hypercall-vmm-<pid>)\n"
      "  --cpus N                vCPUs, 1..%u (default 1)\n"
      "  --memory MiB            guest RAM, %u..%u MiB (default %u)\n"
      "  --runtime-dir DIR       hypercalld's socket directory (default %s)\n"
      "  --call-deadline-ms N    longest a guest waits for a brokered call (default 1000)\n"
      "  --stats                 per-function call table on stderr at exit\n"
      "  --no-stolen-time        no PV stolen-time region (default: 64 KiB at 0x%x, used\n"
      "                          when hypercalld forwards PV time)\n"
      "  --help                  this text\n"
      "\n"
      "Devices: ns16550a UART at 0x%x (console), exit device at 0x%x (a 32-bit store of V\n"
      "at offset 0 ends the VM with status V & 0xff), GICv3, arch timer, PSCI via HVC.\n"
      "\n"
      "Exit status: the guest's (exit device value; 0 for PSCI SYSTEM_OFF or SYSTEM_RESET),\n"
      "1 when the VM could not be set up or failed while running, 2 for bad usage.\n",
      platform::kRamBase, platform::kMaxVcpus, platform::kMinRamMiB, platform::kMaxRamMiB,
      platform::kDefaultRamMiB, wire::kDefaultRuntimeDir, platform::kStolenTimeBase,
      platform::kUartBase, platform::kExitDeviceBase);
}

absl::StatusOr<VmmOptions> ParseVmmOptions(const std::vector<std::string>& args) {
  VmmOptions options;
  CLI::App app;
  cmdline::Configure(app);
  struct Text {
    const char* flag;
    std::string* value;
  };
  const Text texts[] = {{"--name", &options.name},
                        {"--guest", &options.guest},
                        {"--kernel", &options.kernel},
                        {"--initrd", &options.initrd},
                        {"--runtime-dir", &options.runtime_dir}};
  for (const Text& text : texts) app.add_option(text.flag, *text.value);
  // The kernel command line may be empty ("--append=").
  app.add_option("--append", options.append)->expected(0, 1);
  std::string cpus, memory, call_deadline_ms;
  app.add_option("--cpus", cpus);
  app.add_option("--memory", memory);
  app.add_option("--call-deadline-ms", call_deadline_ms);
  bool no_stolen_time = false;
  app.add_flag("--stats", options.stats);
  app.add_flag("--no-stolen-time", no_stolen_time);
  app.add_flag("--help,-h", options.show_help);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;
  if (options.show_help) return options;

  options.stolen_time = !no_stolen_time;
  for (const Text& text : texts) {
    if (app.count(text.flag) > 0 && text.value->empty()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s must not be empty", text.flag));
    }
  }
  if (app.count("--cpus") > 0) {
    absl::StatusOr<uint64_t> n = cmdline::WholeNumber("--cpus", cpus, 1, platform::kMaxVcpus);
    if (!n.ok()) return n.status();
    options.cpus = static_cast<uint32_t>(*n);
  }
  if (app.count("--memory") > 0) {
    absl::StatusOr<uint64_t> n =
        cmdline::WholeNumber("--memory", memory, platform::kMinRamMiB, platform::kMaxRamMiB);
    if (!n.ok()) return n.status();
    options.memory_mib = *n;
  }
  if (app.count("--call-deadline-ms") > 0) {
    absl::StatusOr<uint64_t> n =
        cmdline::WholeNumber("--call-deadline-ms", call_deadline_ms, 1, 3600 * 1000);
    if (!n.ok()) return n.status();
    options.call_deadline_ms = static_cast<uint32_t>(*n);
  }
  if (options.guest.empty() == options.kernel.empty()) {
    return absl::InvalidArgumentError("give exactly one of --guest FILE and --kernel IMAGE");
  }
  if (!options.guest.empty() && (!options.initrd.empty() || !options.append.empty())) {
    return absl::InvalidArgumentError("--initrd and --append go with --kernel, not --guest");
  }
  return options;
}

}  // namespace hypercall::vmm
