#include "hypercallctl/call_command.h"

#include <unistd.h>

#include <memory>

#include "absl/strings/str_format.h"
#include "cmdline/parse.h"
#include "hypercallctl/call_output.h"
#include "hypercallctl/numbers.h"
#include "hypercallctl/test_vm.h"
#include "smccc/function_id.h"
#include "smccc/function_range.h"
#include "smccc/known_calls.h"
#include "wire/runtime_dir.h"

namespace hypercall::ctl {
namespace {

// What `call`'s options and arguments received.
struct CallArgs {
  bool smc = false;
  std::string vm;
  // FUNC, then X1... Numbers like "-1" land here too, so number parsing can
  // explain what is wrong.
  std::vector<std::string> positionals;
};

void AddCallArgs(CLI::App& command, CallArgs& args) {
  command.add_flag("--smc", args.smc);
  command.add_option("--vm", args.vm);
  command.add_option("FUNC", args.positionals);
}

absl::Status RunCall(const CallRequest& request, const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> vmm = DaemonConnection::Open(options, wire::kVmmSocketName);
  if (!vmm.ok()) return vmm.status();
  absl::StatusOr<TestCallOutcome> outcome = MakeTestCall(*vmm, request.vm_name, request.call);
  if (!outcome.ok()) return outcome.status();
  return WriteStdout(RenderCallOutcome(request, *outcome, options.json));
}

absl::StatusOr<CallRequest> CheckCallArgs(const CallArgs& args) {
  const std::vector<std::string>& positionals = args.positionals;
  if (positionals.empty()) {
    return absl::InvalidArgumentError(
        "call needs a function ID: a number (decimal or 0x-hex) or a call name like TRNG_RND64");
  }
  const size_t arg_count = positionals.size() - 1;
  if (arg_count > smccc::kMaxArgRegister) {
    return absl::InvalidArgumentError(
        absl::StrFormat("call takes at most %d argument registers (X1..X%d); got %u",
                        smccc::kMaxArgRegister, smccc::kMaxArgRegister, arg_count));
  }
  CallRequest request;
  absl::StatusOr<uint32_t> fid = ParseFunctionId(positionals[0], "FUNC");
  if (!fid.ok()) return fid.status();
  const uint32_t routing_id = smccc::RoutingId(*fid);
  if (const smccc::FunctionRange* reserved =
          smccc::OverlappingReservedRange({routing_id, routing_id})) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "FUNC 0x%08x (%s) is in the reserved range 0x%08x-0x%08x: KVM answers these itself and "
        "never forwards them",
        *fid, smccc::CallName(*fid), reserved->first, reserved->last));
  }
  request.call.function_id = *fid;
  request.call.conduit = args.smc ? smccc::Conduit::kSmc : smccc::Conduit::kHvc;
  for (size_t i = 1; i <= arg_count; ++i) {
    absl::StatusOr<uint64_t> value = ParseNumber(positionals[i], absl::StrFormat("X%u", i));
    if (!value.ok()) return value.status();
    request.call.x[i] = *value;
    request.call.args_read_mask |= smccc::RegisterMask{1} << i;
  }
  request.vm_name = args.vm.empty() ? absl::StrFormat("hypercallctl-%d", getpid()) : args.vm;
  return request;
}

}  // namespace

CommandCheck DefineCallCommand(CLI::App& command) {
  auto args = std::make_shared<CallArgs>();
  AddCallArgs(command, *args);
  return [args]() -> absl::StatusOr<PreparedCommand> {
    absl::StatusOr<CallRequest> request = CheckCallArgs(*args);
    if (!request.ok()) return request.status();
    return PreparedCommand(
        [request = *request](const GlobalOptions& options) { return RunCall(request, options); });
  };
}

absl::StatusOr<CallRequest> ParseCallArgs(const std::vector<std::string>& args) {
  CLI::App app;
  cmdline::Configure(app);
  CallArgs received;
  AddCallArgs(app, received);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;
  return CheckCallArgs(received);
}

}  // namespace hypercall::ctl
