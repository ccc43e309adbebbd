// The attack of a process that can reach the daemon's sockets but did not
// attach the VM it goes after: it reads the victim's session id from the
// observer socket, opens one of the victim's vCPUs on the VMM socket with it
// and makes a TRNG call as that VM. isolation_test runs it as another uid
// and as another process of the same uid.
//   hypercall-test-vcpu-intruder RUNTIME_DIR VM_NAME VCPU
// Prints what happened on one line. Exit 0: the daemon refused the vCPU
// stream with PERMISSION_DENIED; 1: the call was answered (the attack
// worked); 2: anything else (the line says what).
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercall/v1/vmm.grpc.pb.h"
#include "smccc/known_calls.h"
#include "wire/protocol.h"

namespace {

using hypercall::v1::ObserverService;
using hypercall::v1::VmmService;

int Say(int code, const std::string& line) {
  std::printf("%s\n", line.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return Say(2, "usage: hypercall-test-vcpu-intruder RUNTIME_DIR VM_NAME VCPU");
  const std::string dir = argv[1];
  const std::string vm = argv[2];
  const uint32_t vcpu = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));

  auto observer = ObserverService::NewStub(
      grpc::CreateChannel("unix:" + dir + "/observer.sock", grpc::InsecureChannelCredentials()));
  grpc::ClientContext list_context;
  hypercall::v1::ListSessionsRequest list;
  *list.mutable_hello() = hypercall::wire::MakeHello("vcpu-intruder/1");
  hypercall::v1::ListSessionsReply sessions;
  grpc::Status listed = observer->ListSessions(&list_context, list, &sessions);
  if (!listed.ok()) return Say(2, "ListSessions failed: " + listed.error_message());
  std::string session_id;
  for (const hypercall::v1::SessionInfo& session : sessions.sessions()) {
    if (session.vm_name() == vm) session_id = session.session_id();
  }
  if (session_id.empty()) return Say(2, "no session of VM " + vm + " is listed");

  auto vmm = VmmService::NewStub(
      grpc::CreateChannel("unix:" + dir + "/vmm.sock", grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto stream = vmm->Vcpu(&context);
  hypercall::v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = hypercall::wire::MakeHello("vcpu-intruder/1");
  open.mutable_open()->set_session_id(session_id);
  open.mutable_open()->set_vcpu_index(vcpu);
  hypercall::v1::VcpuRequest call;
  call.mutable_call()->set_call_id(1);
  call.mutable_call()->set_function_id(hypercall::smccc::kTrngVersion);
  call.mutable_call()->set_conduit(hypercall::v1::CONDUIT_HVC);
  hypercall::v1::VcpuReply reply;
  // Sends the call right behind the open, as a VMM in a hurry would.
  if (stream->Write(open) && stream->Write(call)) {
    while (stream->Read(&reply)) {
      if (reply.has_result()) {
        stream->WritesDone();
        context.TryCancel();
        return Say(1,
                   "opened vCPU " + std::to_string(vcpu) + " of " + vm +
                       " and the call was answered: x0=" +
                       std::to_string(reply.result().regs().empty() ? 0 : reply.result().regs(0)));
      }
    }
  }
  const grpc::Status status = stream->Finish();
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Say(0, "refused: PERMISSION_DENIED: " + status.error_message());
  }
  return Say(2,
             "ended with " + std::to_string(status.error_code()) + ": " + status.error_message());
}
