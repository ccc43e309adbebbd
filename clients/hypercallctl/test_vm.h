// Makes one SMCCC call the way a VMM does, for `hypercallctl call`: attach
// a one-vCPU test VM over vmm.sock, open vCPU 0, send the call, read its
// result, then end the vCPU stream and the session.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_TEST_VM_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_TEST_VM_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "hypercall/v1/vmm.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "smccc/call.h"

namespace hypercall::ctl {

struct TestCallOutcome {
  // What the daemon answered (w-register semantics already applied).
  smccc::Result result;
  // The range of the VM's forwarding plan that holds the function ID, if
  // any: a real VMM forwards only those, so its provider is the one that
  // answered. Without one, no provider owns the ID.
  std::optional<v1::PlannedRange> planned_range;
};

// Attaches VM `vm_name` on `vmm` (a connection to vmm.sock) and makes
// `call` on its vCPU 0. Every step has the connection's deadline. Errors say
// which step failed (attach, vCPU open, the call) with the daemon's message.
absl::StatusOr<TestCallOutcome> MakeTestCall(const DaemonConnection& vmm,
                                             const std::string& vm_name, const smccc::Call& call);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_TEST_VM_H_
