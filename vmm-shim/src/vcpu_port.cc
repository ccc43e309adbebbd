#include "vcpu_port.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace hypercall::shim::internal {
namespace {

void Add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace

VcpuPort::VcpuPort(uint32_t index, Transport& transport, GuestMemory* memory,
                   const ShimOptions& options)
    : index_(index),
      transport_(transport),
      assembly_(transport.plan(), memory),
      log_(options.log),
      link_(transport.OpenVcpu(index)) {}

absl::StatusOr<CallOutcome> VcpuPort::Handle(VcpuBackend& vcpu) {
  const Clock::time_point start = Clock::now();
  const Deadline deadline = start + transport_.call_deadline();
  const RegisterAccessCounts before = vcpu.access_counts();

  CallOutcome outcome;
  outcome.function_id = vcpu.FunctionId();
  const uint32_t fid = outcome.function_id;

  const PlannedRange* range = transport_.plan().Find(fid);
  if (range == nullptr) {
    outcome.disposition = Disposition::kNotPlanned;
    outcome.result = NotSupported();
  } else if (!transport_.attached()) {
    // Not attached: answer at once rather than make the guest wait.
    outcome.disposition = Disposition::kUnavailable;
    outcome.detail = "not attached to hypercalld";
    outcome.result = NotSupported();
  } else if (transport_.Refused(fid)) {
    // Logged once per range when the daemon refused it, never per call.
    outcome.disposition = Disposition::kUnavailable;
    outcome.detail = "hypercalld does not serve this part of the VM's plan since the re-attach";
    outcome.result = NotSupported();
  } else {
    absl::StatusOr<smccc::Call> call = assembly_.ReadCall(fid, vcpu);
    if (!call.ok()) return call.status();
    if (assembly_.GatherMemory(*range, *call, outcome)) Forward(*range, *call, deadline, outcome);
  }

  if (absl::Status s = CallAssembly::WriteResult(fid, outcome.result, vcpu); !s.ok()) return s;

  const RegisterAccessCounts after = vcpu.access_counts();
  outcome.registers = {after.reads - before.reads, after.writes - before.writes};
  outcome.latency = Clock::now() - start;
  Count(outcome);
  return outcome;
}

void VcpuPort::Forward(const PlannedRange& range, const smccc::Call& call, Deadline deadline,
                       CallOutcome& outcome) {
  absl::StatusOr<smccc::Result> result = link_->RoundTrip(call, deadline);
  if (!result.ok()) {
    outcome.disposition = absl::IsDeadlineExceeded(result.status()) ? Disposition::kDeadlineExceeded
                                                                    : Disposition::kUnavailable;
    outcome.detail = result.status().ToString();
    outcome.result = NotSupported();
    return;
  }
  if (assembly_.TakeResult(range, call, *std::move(result), outcome)) return;
  if (outcome.disposition == Disposition::kMalformedResult && !malformed_result_logged_) {
    malformed_result_logged_ = true;
    log_(LogSeverity::kError,
         absl::StrFormat("vCPU %d: call 0x%08x: %s; the guest got NOT_SUPPORTED and its memory is "
                         "untouched (later ones on this vCPU are only counted)",
                         index_, call.function_id, outcome.detail));
  }
}

void VcpuPort::Close(Deadline grace) { link_->Close(grace); }

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
