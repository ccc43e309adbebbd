#include "vcpu_port.h"

#include <span>
#include <string>

#include "absl/strings/str_format.h"
#include "smccc/memory_operand.h"
#include "smccc/return_codes.h"
#include "wire/convert.h"
#include "wire/protocol.h"

namespace hypercall::shim::internal {
namespace {

smccc::Result NotSupported() { return smccc::Result::Code(smccc::kNotSupported); }

void Add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

std::span<uint8_t> AsBytes(std::string& s) {
  return {reinterpret_cast<uint8_t*>(s.data()), s.size()};
}
std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The local answer to a call whose operand `index` (`op`) is outside guest
// RAM, for `why`.
void AnswerBadAddress(const smccc::MemoryOperand& op, int index, const absl::Status& why,
                      CallOutcome& outcome) {
  outcome.disposition = Disposition::kBadAddress;
  outcome.result = smccc::Result();
  outcome.result.x[0] = op.BadAddressResult();
  outcome.detail =
      absl::StrFormat("memory operand %d (%s): %s", index, op.Describe(), why.message());
}

}  // namespace

VcpuPort::VcpuPort(uint32_t index, Session& session, GuestMemory* memory)
    : index_(index), session_(session), memory_(memory) {}

absl::StatusOr<CallOutcome> VcpuPort::Handle(VcpuBackend& vcpu) {
  const Clock::time_point start = Clock::now();
  const Deadline deadline = start + session_.options().call_deadline;
  const RegisterAccessCounts before = vcpu.access_counts();

  CallOutcome outcome;
  outcome.function_id = vcpu.FunctionId();
  const uint32_t fid = outcome.function_id;
  const ForwardingPlan& plan = session_.plan();
  const uint64_t generation = session_.live_generation();

  const PlannedRange* range = plan.Find(fid);
  if (range == nullptr) {
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

    if (GatherMemory(*range, call, outcome)) Forward(generation, *range, call, deadline, outcome);
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

void VcpuPort::Forward(uint64_t generation, const PlannedRange& range, const smccc::Call& call,
                       Deadline deadline, CallOutcome& outcome) {
  absl::StatusOr<smccc::Result> result = RoundTrip(generation, call, deadline);
  if (!result.ok()) {
    outcome.disposition = absl::IsDeadlineExceeded(result.status()) ? Disposition::kDeadlineExceeded
                                                                    : Disposition::kUnavailable;
    if (outcome.disposition == Disposition::kUnavailable) session_.ReportTrouble();
    outcome.detail = result.status().ToString();
    outcome.result = NotSupported();
    return;
  }
  if (!ApplyResultMemory(range, call, *result, outcome)) return;
  outcome.disposition = Disposition::kBrokered;
  outcome.result = *std::move(result);
}

bool VcpuPort::GatherMemory(const PlannedRange& range, smccc::Call& call, CallOutcome& outcome) {
  if (range.memory.empty()) return true;
  call.memory.reserve(range.memory.size());
  for (size_t i = 0; i < range.memory.size(); ++i) {
    const smccc::MemoryOperand& op = range.memory[i];
    if (!op.AppliesTo(call)) continue;
    const uint64_t gpa = call.x[op.address_register];
    smccc::MemoryBuffer& buffer = call.memory.emplace_back();
    buffer.operand = static_cast<int>(i);
    buffer.guest_phys_addr = gpa;
    buffer.length = op.length;
    buffer.direction = op.direction;
    absl::Status s;
    if (memory_ == nullptr) {
      s = absl::FailedPreconditionError("the VMM gave the shim no guest memory");
    } else if (smccc::ProviderReads(op.direction)) {
      buffer.data.resize(op.length);
      s = memory_->Read(gpa, AsBytes(buffer.data));
    } else if (!memory_->Contains(gpa, op.length)) {
      s = absl::OutOfRangeError(
          absl::StrFormat("%u bytes at 0x%x do not fit in one guest RAM region", op.length, gpa));
    }
    if (!s.ok()) {
      AnswerBadAddress(op, static_cast<int>(i), s, outcome);
      return false;
    }
  }
  return true;
}

bool VcpuPort::ApplyResultMemory(const PlannedRange& range, const smccc::Call& call,
                                 smccc::Result& result, CallOutcome& outcome) {
  if (absl::Status s = smccc::CheckResultMemory(call, result); !s.ok()) {
    outcome.disposition = Disposition::kMalformedResult;
    outcome.detail =
        absl::StrFormat("hypercalld's result breaks the memory-operand rules: %s", s.message());
    outcome.result = NotSupported();
    if (!malformed_result_logged_) {
      malformed_result_logged_ = true;
      session_.log()(LogSeverity::kError,
                     absl::StrFormat("vCPU %d: call 0x%08x: %s; the guest got NOT_SUPPORTED and "
                                     "its memory is untouched (later ones on this vCPU are only "
                                     "counted)",
                                     index_, call.function_id, outcome.detail));
    }
    return false;
  }
  // CheckResultMemory filled in each buffer's address from the call.
  for (const smccc::MemoryBuffer& out : result.memory) {
    if (absl::Status s = memory_->Write(out.guest_phys_addr, AsBytes(out.data)); !s.ok()) {
      AnswerBadAddress(range.memory[out.operand], out.operand, s, outcome);
      return false;
    }
  }
  return true;
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
    case Disposition::kBadAddress:
      Add(stats_.bad_address, 1);
      break;
    case Disposition::kMalformedResult:
      Add(stats_.malformed_result, 1);
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
  s.bad_address = stats_.bad_address.load(std::memory_order_relaxed);
  s.malformed_result = stats_.malformed_result.load(std::memory_order_relaxed);
  s.register_reads = stats_.register_reads.load(std::memory_order_relaxed);
  s.register_writes = stats_.register_writes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace hypercall::shim::internal
