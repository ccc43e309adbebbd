#include "call_assembly.h"

#include <span>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "smccc/memory_operand.h"
#include "smccc/return_codes.h"

namespace hypercall::shim::internal {
namespace {

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

smccc::Result NotSupported() { return smccc::Result::Code(smccc::kNotSupported); }

CallAssembly::CallAssembly(const ForwardingPlan& plan, GuestMemory* memory)
    : plan_(plan), memory_(memory) {}

absl::StatusOr<smccc::Call> CallAssembly::ReadCall(uint32_t fid, VcpuBackend& vcpu) const {
  smccc::Call call;
  call.function_id = fid;
  call.conduit = vcpu.conduit();
  call.args_read_mask = plan_.ArgsToRead(fid);
  for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
    if ((call.args_read_mask & (smccc::RegisterMask{1} << i)) == 0) continue;
    absl::StatusOr<uint64_t> value = vcpu.ReadRegister(i);
    if (!value.ok()) {
      vcpu.WriteRegister(0, NotSupported().x[0]).IgnoreError();
      return value.status();
    }
    call.x[i] = *value;
  }
  smccc::ApplyCallingConvention(fid, call);
  return call;
}

bool CallAssembly::GatherMemory(const PlannedRange& range, smccc::Call& call,
                                CallOutcome& outcome) const {
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

bool CallAssembly::TakeResult(const PlannedRange& range, const smccc::Call& call,
                              smccc::Result result, CallOutcome& outcome) const {
  if (absl::Status s = smccc::CheckResultMemory(call, result); !s.ok()) {
    outcome.disposition = Disposition::kMalformedResult;
    outcome.detail =
        absl::StrFormat("hypercalld's result breaks the memory-operand rules: %s", s.message());
    outcome.result = NotSupported();
    return false;
  }
  // CheckResultMemory filled in each buffer's address from the call.
  for (const smccc::MemoryBuffer& out : result.memory) {
    if (absl::Status s = memory_->Write(out.guest_phys_addr, AsBytes(out.data)); !s.ok()) {
      AnswerBadAddress(range.memory[out.operand], out.operand, s, outcome);
      return false;
    }
  }
  outcome.disposition = Disposition::kBrokered;
  outcome.result = std::move(result);
  return true;
}

absl::Status CallAssembly::WriteResult(uint32_t fid, smccc::Result& result, VcpuBackend& vcpu) {
  smccc::ApplyCallingConvention(fid, result);
  result.written_mask |= 1;
  for (int i = 0; i < smccc::kNumRegisters; ++i) {
    if ((result.written_mask & (smccc::RegisterMask{1} << i)) == 0) continue;
    if (absl::Status s = vcpu.WriteRegister(i, result.x[i]); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace hypercall::shim::internal
