#include "core/vcpu_channel.h"

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "base/rate_limited_log.h"
#include "core/trace_redaction.h"
#include "smccc/memory_operand.h"
#include "smccc/return_codes.h"

namespace hypercall::core {
namespace {

using daemon::Escaped;
using daemon::Log;
using daemon::LogLevel;
using daemon::RateLimitedLog;

int64_t UnixNanosNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `call.memory` against the operands of its range (`call` with its calling
// convention applied): one buffer per operand that applies, in order, each
// as planned and carrying exactly the bytes its direction says.
absl::Status CheckCallMemory(const std::vector<smccc::MemoryOperand>& operands,
                             const smccc::Call& call) {
  size_t next = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    const smccc::MemoryOperand& op = operands[i];
    if (!op.AppliesTo(call)) continue;
    if (next == call.memory.size()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory operand %d (%s) applies to this call but it passes no buffer for it: send one "
          "MemoryBytes per operand of the plan's range that applies, in the plan's order",
          i, op.Describe()));
    }
    const size_t index = next++;  // Named "memory buffer N" in messages.
    const smccc::MemoryBuffer& buffer = call.memory[index];
    if (buffer.operand != static_cast<int>(i)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory buffer %d names operand %d, but the next operand that applies is %d (%s): send "
          "one MemoryBytes per operand of the plan's range that applies, in the plan's order",
          index, buffer.operand, i, op.Describe()));
    }
    const uint64_t address = call.x[op.address_register];
    if (buffer.guest_phys_addr != address) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory buffer %d (operand %d, %s) says guest_phys_addr 0x%x, but x%d is 0x%x", index, i,
          op.Describe(), buffer.guest_phys_addr, op.address_register, address));
    }
    if (buffer.length != op.length || buffer.direction != op.direction) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory buffer %d (operand %d) says %u bytes %s, but the plan says %s", index, i,
          buffer.length, smccc::MemoryDirectionName(buffer.direction), op.Describe()));
    }
    const size_t want = smccc::ProviderReads(op.direction) ? op.length : 0;
    if (buffer.data.size() != want) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "memory buffer %d (operand %d, %s) carries %d bytes of data; it must carry %s", index, i,
          op.Describe(), buffer.data.size(),
          want == 0 ? "none (the provider writes an out buffer)"
                    : absl::StrFormat("exactly its %u bytes from guest RAM", op.length)));
    }
  }
  if (next != call.memory.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "memory buffer %d (operand %d) matches no memory operand that applies to this call (its "
        "range has: %s)",
        next, call.memory[next].operand, smccc::DescribeMemoryOperands(operands)));
  }
  return absl::OkStatus();
}

// `buffers` without their bytes, for traces: guest memory contents stay out
// of them. `moved`: length says how many bytes the buffer carries (what a
// result writes back) rather than its declared length.
std::vector<smccc::MemoryBuffer> WithoutData(const std::vector<smccc::MemoryBuffer>& buffers,
                                             bool moved) {
  std::vector<smccc::MemoryBuffer> out;
  out.reserve(buffers.size());
  for (const smccc::MemoryBuffer& buffer : buffers) {
    out.push_back({.operand = buffer.operand,
                   .guest_phys_addr = buffer.guest_phys_addr,
                   .length = moved ? static_cast<uint32_t>(buffer.data.size()) : buffer.length,
                   .direction = buffer.direction,
                   .data = {}});
  }
  return out;
}

}  // namespace

VcpuChannel::VcpuChannel(Broker& broker, std::shared_ptr<Session> session, uint32_t vcpu,
                         ResultSink& sink)
    : broker_(broker), session_(std::move(session)), vcpu_(vcpu), sink_(sink) {}

absl::Status VcpuChannel::Submit(uint64_t call_id, const smccc::Call& call) {
  call_id_ = call_id;
  call_ = call;
  received_ = std::chrono::steady_clock::now();
  received_unix_nanos_ = broker_.trace().HasWatchers() ? UnixNanosNow() : 0;
  smccc::ApplyCallingConvention(call_.function_id, call_);

  route_ = session_->routes().Lookup(call_.function_id);
  static const std::vector<smccc::MemoryOperand> kNoOperands;
  if (absl::Status memory =
          CheckCallMemory(route_ != nullptr ? route_->memory : kNoOperands, call_);
      !memory.ok()) {
    return memory;
  }
  if (route_ == nullptr) {
    Complete(smccc::Result::Code(smccc::kNotSupported));
    return absl::OkStatus();
  }
  const provider::CallContext context{.vm = *session_->shared_name(),
                                      .vcpu = vcpu_,
                                      .stolen_time_record = session_->stolen_time_record(vcpu_),
                                      .deadline = received_ + broker_.call_deadline()};
  route_->provider->provider->Handle(context, call_, *this);
  return absl::OkStatus();
}

void VcpuChannel::Complete(const smccc::Result& provider_result) {
  smccc::Result result = provider_result;
  if (absl::Status memory = smccc::CheckResultMemory(call_, result); !memory.ok()) {
    // Only a provider's result can carry memory.
    route_->provider->bad_results.fetch_add(1, std::memory_order_relaxed);
    static RateLimitedLog bad_result_log(10);
    bad_result_log.Log(
        LogLevel::kWarning,
        "provider %s answered call 0x%08x of vm %s vCPU %d with memory the call cannot take "
        "(%s): the guest gets NOT_SUPPORTED, its memory untouched",
        route_->provider->name, call_.function_id, Escaped(*session_->shared_name()), vcpu_,
        memory.message());
    result = smccc::Result::Code(smccc::kNotSupported);
  }
  smccc::ApplyCallingConvention(call_.function_id, result);
  const uint64_t latency_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - received_)
                                     .count();
  session_->CountCall();
  broker_.CountCall(route_ == nullptr);
  if (route_ != nullptr) route_->provider->calls.fetch_add(1, std::memory_order_relaxed);

  // Published before the guest is answered: once the sink has the result
  // the vCPU's next call may start, and its record must come after this one.
  TraceHub& trace = broker_.trace();
  if (trace.HasWatchers()) {
    TraceRecord record;
    record.unix_nanos = received_unix_nanos_ != 0 ? received_unix_nanos_ : UnixNanosNow();
    record.call_id = call_id_;
    record.call.function_id = call_.function_id;
    record.call.conduit = call_.conduit;
    record.call.x = call_.x;
    record.call.args_read_mask = call_.args_read_mask;
    record.call.memory = WithoutData(call_.memory, /*moved=*/false);
    record.result.x = result.x;
    record.result.written_mask = result.written_mask;
    record.result.memory = WithoutData(result.memory, /*moved=*/true);
    record.vm = session_->shared_name();
    record.vcpu = vcpu_;
    if (route_ != nullptr) record.provider = route_->provider;
    record.latency_nanos = latency_nanos;
    if (route_ != nullptr && route_->secret_results) WithholdSecretResults(record);
    trace.Publish(record);
  }
  sink_.OnResult(call_id_, result);
}

}  // namespace hypercall::core
