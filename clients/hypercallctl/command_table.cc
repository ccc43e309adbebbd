#include "hypercallctl/command_table.h"

#include "absl/strings/str_format.h"
#include "hypercallctl/call_command.h"
#include "hypercallctl/providers_command.h"
#include "hypercallctl/ranges_command.h"
#include "hypercallctl/sessions_command.h"
#include "hypercallctl/status_command.h"
#include "hypercallctl/trace_command.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::ctl {
namespace {

constexpr CommandSpec kCommands[] = {
    {.name = "status",
     .arguments = "",
     .summary = "daemon version, pid, uptime, sessions and call counters",
     .details = "",
     .define = DefineStatusCommand},
    {.name = "ranges",
     .arguments = "",
     .summary = "the range table: who owns which function IDs, decoded",
     .details = "Columns: first and last function ID, count, provider, argument registers the\n"
                "provider reads, SMCCC owner, calling convention, known calls in the range.\n",
     .define = DefineRangesCommand},
    {.name = "sessions",
     .arguments = "",
     .summary = "attached VMs",
     .details = "",
     .define = DefineSessionsCommand},
    {.name = "providers",
     .arguments = "",
     .summary = "providers and the ranges they own",
     .details = "",
     .define = DefineProvidersCommand},
    {.name = "call",
     .arguments = "[--smc] [--vm NAME] FUNC [X1 ... X17]",
     .summary = "make one call as a test VM and print every result register",
     .details =
         "FUNC is a function ID (decimal or 0x-hex) or a known call name (TRNG_RND64).\n"
         "X1..X17 are the argument registers (decimal or 0x-hex); only those given are sent.\n"
         "  --smc       use the SMC conduit (default HVC)\n"
         "  --vm NAME   name of the test VM (default hypercallctl-<pid>)\n"
         "IDs in 0x80000000-0x8000ffff and 0xc0000000-0xc000ffff are refused: KVM answers\n"
         "those itself. Exits 0 whenever the daemon brokered the call, whatever x0 says.\n"
         "With --json: one object whose keys x0..x17 hold the registers as hex strings.\n"
         "Example: hypercallctl call TRNG_RND64 192\n",
     .define = DefineCallCommand},
    {.name = "trace",
     .arguments = "[--vm NAME] [--count N] [--duration SECONDS]",
     .summary = "watch calls live, one line per call (Ctrl-C to stop)",
     .details = "  --vm NAME           only calls of this VM\n"
                "  --count N           stop after N calls\n"
                "  --duration SECONDS  stop after this long\n"
                "With --json: one JSON object per line (NDJSON).\n",
     .define = DefineTraceCommand},
};

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string UsageText() {
  std::string out = absl::StrFormat(
      "Usage: hypercallctl [OPTIONS] COMMAND [ARGS]\n"
      "Inspect hypercalld and make test calls through it.\n"
      "\n"
      "Options (anywhere before a \"--\"):\n"
      "  --runtime-dir DIR  the daemon's runtime directory (default %s)\n"
      "  --json             machine-readable output\n"
      "  --timeout SECONDS  deadline of each request to the daemon (default 5)\n"
      "  --help, -h         this help; COMMAND --help for a command's own\n"
      "  --version          print the version\n"
      "\n"
      "Commands:\n",
      wire::kDefaultRuntimeDir);
  for (const CommandSpec& command : kCommands) {
    out += absl::StrFormat("  %-10s %s\n", command.name, command.summary);
  }
  out +=
      "\nNumbers are decimal or 0x-hex. Exit status: 0 ok, 1 failure talking to the daemon,\n"
      "2 usage error.\n";
  return out;
}

std::string CommandUsageText(const CommandSpec& command) {
  return absl::StrFormat("Usage: hypercallctl [OPTIONS] %s%s%s\n%s.\n%s%s", command.name,
                         command.arguments.empty() ? "" : " ", command.arguments, command.summary,
                         command.details.empty() ? "" : "\n", command.details);
}

std::string VersionText() {
  return absl::StrFormat("%s (wire protocol %u)\n", wire::SoftwareName("hypercallctl"),
                         wire::kProtocolVersion);
}

}  // namespace hypercall::ctl
