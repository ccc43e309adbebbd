#include "vcpu_port.h"

#include "absl/strings/str_format.h"
#include "smccc/return_codes.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::shim::internal {
namespace {

smccc::Result NotSupported() { return smccc::Result::Code(smccc::kNotSupported); }

void Add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace

VcpuPort::VcpuPort(uint32_t index, Session& session) : index_(index), session_(session) {}

absl::StatusOr<CallOutcome> VcpuPort::Handle(VcpuBackend& vcpu) {
  const Clock::time_point start = Clock::now();
  const Deadline deadline = start + session_.options().call_deadline;
  const RegisterAccessCounts before = vcpu.access_counts();

  CallOutcome outcome;
  outcome.function_id = vcpu.FunctionId();
  const uint32_t fid = outcome.function_id;
  const ForwardingPlan& plan = session_.plan();
  const uint64_t generation = session_.live_generation();

  if (plan.Find(fid) == nullptr) {
    outcome.disposition = Disposition::kNotPlanned;
    outcome.result = NotSupported();
  } else if (generation == 0) {
    // Not attached: answer at once rather than make the guest wait.
    outcome.disposition = Disposition::kUnavailable;
    outcome.detail = "not attached to hypercalld";
    outcome.result = NotSupported();
  } else {
    smccc::Call call;
    call.function_id = fid;
    call.conduit = vcpu.conduit();
    call.args_read_mask = plan.ArgsToRead(fid);
    for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
      if ((call.args_read_mask & (smccc::RegisterMask{1} << i)) == 0) continue;
      absl::StatusOr<uint64_t> value = vcpu.ReadRegister(i);
      if (!value.ok()) {
        // Do not leave the guest reading its own function ID back as x0.
        vcpu.WriteRegister(0, NotSupported().x[0]).IgnoreError();
        return value.status();
      }
      call.x[i] = *value;
    }
    smccc::ApplyCallingConvention(fid, call);

    absl::StatusOr<smccc::Result> result = RoundTrip(generation, call, deadline);
    if (result.ok()) {
      outcome.disposition = Disposition::kBrokered;
      outcome.result = *result;
    } else {
      outcome.disposition = absl::IsDeadlineExceeded(result.status())
                                ? Disposition::kDeadlineExceeded
                                : Disposition::kUnavailable;
      if (outcome.disposition == Disposition::kUnavailable) session_.ReportTrouble();
      outcome.detail = result.status().ToString();
      outcome.result = NotSupported();
    }
  }

  // The daemon applies w-register semantics already; a local answer needs
  // them, and a daemon's answer is not trusted to have them.
  smccc::ApplyCallingConvention(fid, outcome.result);
  outcome.result.written_mask |= 1;
  for (int i = 0; i < smccc::kNumRegisters; ++i) {
    if ((outcome.result.written_mask & (smccc::RegisterMask{1} << i)) == 0) continue;
    if (absl::Status s = vcpu.WriteRegister(i, outcome.result.x[i]); !s.ok()) return s;
  }

  const RegisterAccessCounts after = vcpu.access_counts();
  outcome.registers = {after.reads - before.reads, after.writes - before.writes};
  outcome.latency = Clock::now() - start;
  Count(outcome);
  return outcome;
}

absl::StatusOr<smccc::Result> VcpuPort::RoundTrip(uint64_t generation, const smccc::Call& call,
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

absl::Status VcpuPort::Open(uint64_t generation, Deadline deadline) {
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

void VcpuPort::Close(Deadline grace) {
  if (stream_ != nullptr) stream_->Close(grace);
}

void VcpuPort::Count(const CallOutcome& outcome) {
  Add(stats_.calls, 1);
  switch (outcome.disposition) {
    case Disposition::kBrokered:
      Add(stats_.brokered, 1);
      break;
    case Disposition::kNotPlanned:
      Add(stats_.not_planned, 1);
      break;
    case Disposition::kUnavailable:
      Add(stats_.unavailable, 1);
      break;
    case Disposition::kDeadlineExceeded:
      Add(stats_.deadline_exceeded, 1);
      break;
  }
  Add(stats_.register_reads, outcome.registers.reads);
  Add(stats_.register_writes, outcome.registers.writes);
}

VcpuStats VcpuPort::stats() const {
  VcpuStats s;
  s.calls = stats_.calls.load(std::memory_order_relaxed);
  s.brokered = stats_.brokered.load(std::memory_order_relaxed);
  s.not_planned = stats_.not_planned.load(std::memory_order_relaxed);
  s.unavailable = stats_.unavailable.load(std::memory_order_relaxed);
  s.deadline_exceeded = stats_.deadline_exceeded.load(std::memory_order_relaxed);
  s.register_reads = stats_.register_reads.load(std::memory_order_relaxed);
  s.register_writes = stats_.register_writes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace hypercall::shim::internal
