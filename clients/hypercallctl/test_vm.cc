#include "hypercallctl/test_vm.h"

#include "absl/strings/str_format.h"
#include "hypercall/v1/vmm.grpc.pb.h"
#include "smccc/function_id.h"
#include "wire/convert.h"

namespace hypercall::ctl {
namespace {

// The call_id of the one call a test VM makes.
constexpr uint64_t kTestCallId = 1;

// The error for a stream that ended (or answered nonsense) during `step`.
template <typename Stream>
absl::Status StreamFailure(const DaemonConnection& vmm, Stream& stream, const std::string& step) {
  const grpc::Status status = stream.Finish();
  if (!status.ok()) return vmm.RpcFailure(status, step);
  return absl::UnavailableError(
      absl::StrFormat("hypercalld ended the stream during %s without an answer", step));
}

std::optional<v1::PlannedRange> RangeHolding(const v1::ForwardingPlan& plan, uint32_t fid) {
  const uint32_t id = smccc::RoutingId(fid);
  for (const v1::PlannedRange& range : plan.ranges()) {
    const uint64_t first = range.first_function_id();
    if (id >= first && id < first + range.count()) return range;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<TestCallOutcome> MakeTestCall(const DaemonConnection& vmm,
                                             const std::string& vm_name, const smccc::Call& call) {
  auto stub = v1::VmmService::NewStub(vmm.channel());

  std::unique_ptr<grpc::ClientContext> session_context = vmm.NewContext();
  auto session = stub->Session(session_context.get());
  v1::SessionRequest attach;
  *attach.mutable_attach()->mutable_hello() = ClientHello();
  attach.mutable_attach()->mutable_vm()->set_name(vm_name);
  attach.mutable_attach()->mutable_vm()->set_vcpu_count(1);
  v1::SessionEvent event;
  if (!session->Write(attach) || !session->Read(&event)) {
    return StreamFailure(vmm, *session, "attach");
  }
  if (!event.has_attached()) {
    return absl::InternalError("hypercalld answered attach with something other than 'attached'");
  }
  TestCallOutcome outcome;
  outcome.planned_range = RangeHolding(event.attached().plan(), call.function_id);

  std::unique_ptr<grpc::ClientContext> vcpu_context = vmm.NewContext();
  auto vcpu = stub->Vcpu(vcpu_context.get());
  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = ClientHello();
  open.mutable_open()->set_session_id(event.attached().session_id());
  open.mutable_open()->set_vcpu_index(0);
  v1::VcpuReply reply;
  if (!vcpu->Write(open) || !vcpu->Read(&reply)) return StreamFailure(vmm, *vcpu, "vCPU 0 open");
  if (!reply.has_opened()) {
    return absl::InternalError("hypercalld answered vCPU open with something other than 'opened'");
  }

  v1::VcpuRequest request;
  wire::ToProto(call, *request.mutable_call());
  request.mutable_call()->set_call_id(kTestCallId);
  if (!vcpu->Write(request) || !vcpu->Read(&reply)) return StreamFailure(vmm, *vcpu, "the call");
  if (!reply.has_result() || reply.result().call_id() != kTestCallId) {
    return absl::InternalError(
        absl::StrFormat("hypercalld answered call %u with something else (a result for call %u?)",
                        kTestCallId, reply.result().call_id()));
  }
  absl::StatusOr<smccc::Result> result = wire::FromProto(reply.result());
  if (!result.ok()) {
    return absl::InternalError(
        absl::StrFormat("hypercalld sent a malformed result: %s", result.status().message()));
  }
  outcome.result = *result;

  // The result is in hand: closing is a courtesy, its outcome changes nothing.
  vcpu->WritesDone();
  vcpu->Finish();
  session->WritesDone();
  session->Finish();
  return outcome;
}

}  // namespace hypercall::ctl
