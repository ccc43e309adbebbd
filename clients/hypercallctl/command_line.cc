#include "hypercallctl/command_line.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "cmdline/parse.h"
#include "hypercallctl/command_table.h"
#include "hypercallctl/numbers.h"

namespace hypercall::ctl {
namespace {

// The longest --timeout accepted: an hour is already far past any sane wait.
constexpr uint64_t kMaxTimeoutSeconds = 3600;

// The global options' values as given.
struct GlobalArgs {
  std::string runtime_dir;
  std::string timeout;
};

absl::Status CheckGlobalArgs(const CLI::App& app, const GlobalArgs& args, GlobalOptions& options) {
  if (app.count("--runtime-dir") > 0) {
    if (args.runtime_dir.empty()) return absl::InvalidArgumentError("--runtime-dir is empty");
    options.runtime_dir = args.runtime_dir;
  }
  if (app.count("--timeout") > 0) {
    absl::StatusOr<uint64_t> seconds =
        ParseNumberInRange(args.timeout, "--timeout", 1, kMaxTimeoutSeconds);
    if (!seconds.ok()) return seconds.status();
    options.timeout_seconds = *seconds;
  }
  return absl::OkStatus();
}

// The command the parse reached, if any (`help`'s topic for `help`).
std::string ParsedCommand(CLI::App& app, const std::vector<std::string>& help_topic) {
  std::vector<CLI::App*> parsed = app.get_subcommands();
  if (parsed.empty()) return "";
  if (parsed.front()->get_name() == "help") return help_topic.empty() ? "" : help_topic.front();
  return parsed.front()->get_name();
}

}  // namespace

Invocation ParseCommandLine(const std::vector<std::string>& argv) {
  Invocation invocation;
  GlobalArgs global;
  CLI::App app;
  cmdline::Configure(app);
  app.add_option("--runtime-dir", global.runtime_dir);
  app.add_option("--timeout", global.timeout);
  app.add_flag("--json", invocation.options.json);
  app.add_flag("--help,-h", invocation.help);
  app.add_flag("--version", invocation.version);
  // One command; global options may follow it (they fall through to `app`).
  app.require_subcommand(0, 1);
  std::vector<std::pair<std::string, CommandCheck>> checks;
  for (const CommandSpec& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name));
    sub->fallthrough();
    checks.emplace_back(command.name, command.define(*sub));
  }
  std::vector<std::string> help_topic;
  CLI::App* help = app.add_subcommand("help");
  help->fallthrough();
  help->add_option("COMMAND", help_topic);

  const absl::Status parsed = cmdline::Parse(app, argv);
  invocation.command = ParsedCommand(app, help_topic);
  invocation.help |= help->parsed();
  if (!parsed.ok()) {
    // A word where the command should be is an unknown command.
    const std::vector<std::string> extras = app.remaining(true);
    if (app.get_subcommands().empty() && !extras.empty() && !absl::StartsWith(extras[0], "-")) {
      invocation.usage_error =
          absl::InvalidArgumentError(absl::StrFormat("unknown command '%s'", extras[0]));
    } else {
      invocation.usage_error = parsed;
    }
    return invocation;
  }
  if (absl::Status status = CheckGlobalArgs(app, global, invocation.options); !status.ok()) {
    invocation.usage_error = status;
    return invocation;
  }
  if (invocation.help || invocation.version || invocation.command.empty()) return invocation;
  for (const auto& [name, check] : checks) {
    if (name != invocation.command) continue;
    absl::StatusOr<PreparedCommand> run = check();
    if (!run.ok()) {
      invocation.usage_error = run.status();
    } else {
      invocation.run = *std::move(run);
    }
  }
  return invocation;
}

}  // namespace hypercall::ctl
