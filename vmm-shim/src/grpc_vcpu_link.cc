#include "grpc_vcpu_link.h"

#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::shim::internal {

GrpcVcpuLink::GrpcVcpuLink(uint32_t index, Session& session) : index_(index), session_(session) {}

absl::StatusOr<smccc::Result> GrpcVcpuLink::RoundTrip(const smccc::Call& call, Deadline deadline) {
  absl::StatusOr<smccc::Result> result = Exchange(session_.live_generation(), call, deadline);
  // A late daemon is not a gone one: only the latter is worth checking now.
  if (!result.ok() && !absl::IsDeadlineExceeded(result.status())) session_.ReportTrouble();
  return result;
}

absl::StatusOr<smccc::Result> GrpcVcpuLink::Exchange(uint64_t generation, const smccc::Call& call,
                                                     Deadline deadline) {
  if (stream_ == nullptr || stream_->broken() || stream_generation_ != generation) {
    if (absl::Status s = Open(generation, deadline); !s.ok()) return s;
  }
  const uint64_t call_id = next_call_id_++;
  v1::Call* wire_call = request_.mutable_call();
  wire::ToProto(call, *wire_call);
  wire_call->set_call_id(call_id);
  reply_.Clear();
  if (absl::Status s = stream_->Exchange(request_, &reply_, deadline); !s.ok()) {
    return absl::Status(s.code(), "vCPU stream: " + std::string(s.message()));
  }
  if (!reply_.has_result() || reply_.result().call_id() != call_id) {
    stream_.reset();
    return absl::UnavailableError(absl::StrFormat(
        "vCPU stream: hypercalld answered call %d with something else; stream dropped", call_id));
  }
  return wire::FromProto(reply_.result());
}

absl::Status GrpcVcpuLink::Open(uint64_t generation, Deadline deadline) {
  if (stream_ != nullptr) {
    stream_->Cancel();  // Closing must not wait on a daemon that is gone.
    stream_.reset();
  }
  const std::optional<std::string> session_id = session_.SessionId(generation);
  if (!session_id) return absl::UnavailableError("the session with hypercalld just ended");
  stream_ = std::make_unique<VcpuStream>(
      [this](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return session_.stub().PrepareAsyncVcpu(context, cq);
      },
      /*wait_for_ready=*/false);
  stream_generation_ = generation;

  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = wire::MakeHello(session_.options().software);
  open.mutable_open()->set_session_id(*session_id);
  open.mutable_open()->set_vcpu_index(index_);
  v1::VcpuReply opened;
  absl::Status s = stream_->Start(deadline);
  if (s.ok()) s = stream_->Exchange(open, &opened, deadline);
  if (s.ok() && !opened.has_opened()) {
    s = absl::UnavailableError("hypercalld's first vCPU reply is not 'opened'");
  }
  if (!s.ok()) {
    stream_.reset();
    return absl::Status(s.code(),
                        absl::StrFormat("opening vCPU %d stream: %s", index_, s.message()));
  }
  return absl::OkStatus();
}

void GrpcVcpuLink::Close(Deadline grace) {
  if (stream_ != nullptr) stream_->Close(grace);
}

}  // namespace hypercall::shim::internal
