#include "hypercallctl/call_command.h"

#include <unistd.h>

#include "absl/strings/str_format.h"
#include "hypercallctl/call_output.h"
#include "hypercallctl/command_args.h"
#include "hypercallctl/numbers.h"
#include "hypercallctl/test_vm.h"
#include "smccc/function_id.h"
#include "smccc/function_range.h"
#include "smccc/known_calls.h"
#include "wire/runtime_dir.h"

namespace hypercall::ctl {
namespace {

constexpr OptionSpec kCallOptions[] = {
    {.name = "--smc", .takes_value = false},
    {.name = "--vm", .takes_value = true},
};

absl::Status RunCall(const CallRequest& request, const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> vmm = DaemonConnection::Open(options, wire::kVmmSocketName);
  if (!vmm.ok()) return vmm.status();
  absl::StatusOr<TestCallOutcome> outcome = MakeTestCall(*vmm, request.vm_name, request.call);
  if (!outcome.ok()) return outcome.status();
  return WriteStdout(RenderCallOutcome(request, *outcome, options.json));
}

}  // namespace

absl::StatusOr<CallRequest> ParseCallArgs(const std::vector<std::string>& args) {
  absl::StatusOr<CommandArgs> split = SplitCommandArgs("call", args, kCallOptions);
  if (!split.ok()) return split.status();
  const std::vector<std::string>& positionals = split->positionals;
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
  request.call.conduit = split->Has("--smc") ? smccc::Conduit::kSmc : smccc::Conduit::kHvc;
  for (size_t i = 1; i <= arg_count; ++i) {
    absl::StatusOr<uint64_t> value = ParseNumber(positionals[i], absl::StrFormat("X%u", i));
    if (!value.ok()) return value.status();
    request.call.x[i] = *value;
    request.call.args_read_mask |= smccc::RegisterMask{1} << i;
  }
  request.vm_name =
      split->Has("--vm") ? split->options.at("--vm") : absl::StrFormat("hypercallctl-%d", getpid());
  return request;
}

absl::StatusOr<PreparedCommand> ParseCallCommand(const std::vector<std::string>& args) {
  absl::StatusOr<CallRequest> request = ParseCallArgs(args);
  if (!request.ok()) return request.status();
  return PreparedCommand(
      [request = *request](const GlobalOptions& options) { return RunCall(request, options); });
}

}  // namespace hypercall::ctl
