#include "vmm_options.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "absl/strings/str_format.h"

namespace hypercall::vmm {
namespace {

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

constexpr const char* kValueFlags[] = {
    "--name",   "--cpus",        "--memory",           "--guest", "--kernel", "--initrd",
    "--append", "--runtime-dir", "--call-deadline-ms",
};

}  // namespace

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
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") {
      options.show_help = true;
      continue;
    }
    if (flag == "--stats" || flag == "--no-stolen-time") {
      if (value) return absl::InvalidArgumentError(flag + " takes no value");
      if (flag == "--stats") options.stats = true;
      if (flag == "--no-stolen-time") options.stolen_time = false;
      continue;
    }
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), flag) == std::end(kValueFlags)) {
      return absl::InvalidArgumentError(absl::StrFormat("unknown argument '%s'", args[i]));
    }
    if (!value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(flag + " needs a value");
      value = args[++i];
    }
    auto number = [&](uint64_t min, uint64_t max) -> absl::StatusOr<uint64_t> {
      std::optional<uint64_t> n = ParseUnsigned(*value);
      if (!n || *n < min || *n > max) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s must be a whole number from %u to %u (got '%s')", flag, min, max, *value));
      }
      return *n;
    };
    auto non_empty = [&]() -> absl::StatusOr<std::string> {
      if (value->empty()) return absl::InvalidArgumentError(flag + " must not be empty");
      return *value;
    };
    if (flag == "--cpus" || flag == "--memory" || flag == "--call-deadline-ms") {
      absl::StatusOr<uint64_t> n = flag == "--cpus" ? number(1, platform::kMaxVcpus)
                                   : flag == "--memory"
                                       ? number(platform::kMinRamMiB, platform::kMaxRamMiB)
                                       : number(1, 3600 * 1000);
      if (!n.ok()) return n.status();
      if (flag == "--cpus") options.cpus = static_cast<uint32_t>(*n);
      if (flag == "--memory") options.memory_mib = *n;
      if (flag == "--call-deadline-ms") options.call_deadline_ms = static_cast<uint32_t>(*n);
      continue;
    }
    if (flag == "--append") {
      options.append = *value;
      continue;
    }
    absl::StatusOr<std::string> text = non_empty();
    if (!text.ok()) return text.status();
    if (flag == "--name") options.name = *text;
    if (flag == "--guest") options.guest = *text;
    if (flag == "--kernel") options.kernel = *text;
    if (flag == "--initrd") options.initrd = *text;
    if (flag == "--runtime-dir") options.runtime_dir = *text;
  }
  if (options.show_help) return options;
  if (options.guest.empty() == options.kernel.empty()) {
    return absl::InvalidArgumentError("give exactly one of --guest FILE and --kernel IMAGE");
  }
  if (!options.guest.empty() && (!options.initrd.empty() || !options.append.empty())) {
    return absl::InvalidArgumentError("--initrd and --append go with --kernel, not --guest");
  }
  return options;
}

}  // namespace hypercall::vmm
