#include "providers/hyperv/hyperv_provider.h"

#include <string>
#include <utility>

#include "providers/hyperv/hv_abi.h"
#include "smccc/return_codes.h"

namespace hypercall::providers::hyperv {
namespace {

// x1..x7: the control word and the fast calls' inputs and outputs.
constexpr smccc::RegisterMask kReadsX1ToX7 = 0xfe;

// The control word's fields.
struct Control {
  uint16_t code;
  bool fast;
  uint32_t rep_count;
  uint32_t rep_start;
};

Control Decode(uint64_t x1) {
  return {.code = static_cast<uint16_t>(x1 & kCallCodeMask),
          .fast = (x1 & kFastBit) != 0,
          .rep_count = static_cast<uint32_t>((x1 >> kRepCountShift) & kRepFieldMask),
          .rep_start = static_cast<uint32_t>((x1 >> kRepStartShift) & kRepFieldMask)};
}

// A result writing x0 = status | reps completed.
smccc::Result Status(uint16_t status, uint64_t reps_completed = 0) {
  smccc::Result result;
  result.x[0] = status | reps_completed << kRepsCompletedShift;
  return result;
}

// The memory operands of the slow forms: the input page for every slow call
// (x1's fast bit clear), the output page only for a slow GetVpRegisters (the
// only slow call with output; others may pass any x3, 0 included).
std::vector<smccc::MemoryOperand> SlowCallOperands() {
  smccc::MemoryOperand input =
      smccc::MemoryOperand::At(2, kHvPageBytes, smccc::MemoryDirection::kIn);
  input.when_register = 1;
  input.when_mask = kFastBit;
  input.when_value = 0;
  input.bad_address_x0 = kHvStatusInvalidParameter;
  smccc::MemoryOperand output =
      smccc::MemoryOperand::At(3, kHvPageBytes, smccc::MemoryDirection::kOut);
  output.when_register = 1;
  output.when_mask = kFastBit | kCallCodeMask;
  output.when_value = kHvCallGetVpRegisters;
  output.bad_address_x0 = kHvStatusInvalidParameter;
  return {input, output};
}

// The call's buffer for operand `operand`, or null when it has none.
const smccc::MemoryBuffer* Buffer(const smccc::Call& call, int operand) {
  for (const smccc::MemoryBuffer& buffer : call.memory) {
    if (buffer.operand == operand) return &buffer;
  }
  return nullptr;
}

uint64_t LoadLittleEndian(const std::string& bytes, size_t offset, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; ++i) {
    value |= uint64_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
  }
  return value;
}

void StoreLittleEndian(std::string& bytes, size_t offset, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[offset + i] = static_cast<char>(value >> (8 * i));
}

// Whether a Get/SetVpRegisters may name this target: the calling partition,
// the calling VP (by HV_VP_INDEX_SELF or its own index), VTL 0.
uint16_t CheckTarget(const provider::CallContext& context, uint64_t partition, uint32_t vp,
                     uint8_t vtl) {
  if (partition != kHvPartitionIdSelf) return kHvStatusInvalidPartitionId;
  if (vp != kHvVpIndexSelf && vp != context.vcpu) return kHvStatusInvalidVpIndex;
  if (vtl != 0) return kHvStatusInvalidParameter;
  return kHvStatusSuccess;
}

// The status for a slow call's input before its reps: the input page is
// there, rep count is 1..max_reps with rep start at most rep count, and the
// header names a target the caller may use.
uint16_t CheckSlowInput(const provider::CallContext& context, const smccc::Call& call,
                        uint32_t max_reps) {
  const Control control = Decode(call.x[1]);
  const smccc::MemoryBuffer* in = Buffer(call, 0);
  if (in == nullptr || in->data.size() < kHvPageBytes) return kHvStatusInvalidParameter;
  if (control.rep_count == 0 || control.rep_count > max_reps ||
      control.rep_start > control.rep_count) {
    return kHvStatusInvalidHypercallInput;
  }
  return CheckTarget(context, LoadLittleEndian(in->data, 0, 8),
                     static_cast<uint32_t>(LoadLittleEndian(in->data, 8, 4)),
                     static_cast<uint8_t>(in->data[12]));
}

// The status for a fast Get/SetVpRegisters before its one register: rep
// count 1 from rep start 0, and a target the caller may use (x2 partition,
// x3 VP index (31:0) and VTL (39:32)).
uint16_t CheckFastInput(const provider::CallContext& context, const smccc::Call& call) {
  const Control control = Decode(call.x[1]);
  if (control.rep_count != 1 || control.rep_start != 0) return kHvStatusInvalidHypercallInput;
  return CheckTarget(context, call.x[2], static_cast<uint32_t>(call.x[3]),
                     static_cast<uint8_t>(call.x[3] >> 32));
}

}  // namespace

HypervProvider::HypervProvider(MonotonicClock clock, size_t max_vms,
                               const HvIdentityRegisters& identity)
    : registers_(std::move(clock), max_vms, identity) {}

std::vector<provider::RangeClaim> HypervProvider::Claims() const {
  return {{{kHvFunctionId, kHvFunctionId}, kReadsX1ToX7, SlowCallOperands()},
          {{kCallUid, kCallUid}, 0, {}}};
}

void HypervProvider::Handle(const provider::CallContext& context, const smccc::Call& call,
                            provider::Completion& done) {
  switch (smccc::RoutingId(call.function_id)) {
    case kCallUid: {
      smccc::Result result;
      for (int i = 0; i < 4; ++i) result.Set(i, kHypervUid[i]);
      done.Complete(result);
      return;
    }
    case kHvFunctionId:
      done.Complete(Hypercall(context, call));
      return;
    default:
      done.Complete(smccc::Result::Code(smccc::kNotSupported));
      return;
  }
}

smccc::Result HypervProvider::Hypercall(const provider::CallContext& context,
                                        const smccc::Call& call) {
  const Control control = Decode(call.x[1]);
  switch (control.code) {
    case kHvCallGetVpRegisters:
      return control.fast ? FastGetVpRegisters(context, call) : SlowGetVpRegisters(context, call);
    case kHvCallSetVpRegisters:
      return control.fast ? FastSetVpRegisters(context, call) : SlowSetVpRegisters(context, call);
    default:
      return Status(kHvStatusInvalidHypercallCode);
  }
}

smccc::Result HypervProvider::FastGetVpRegisters(const provider::CallContext& context,
                                                 const smccc::Call& call) {
  if (uint16_t status = CheckFastInput(context, call); status != kHvStatusSuccess) {
    return Status(status);
  }
  HvRegisterValue value;
  if (uint16_t status =
          registers_.Get(context.vm, context.vcpu, static_cast<uint32_t>(call.x[4]), value);
      status != kHvStatusSuccess) {
    return Status(status);
  }
  smccc::Result result = Status(kHvStatusSuccess, 1);
  result.Set(6, value.low);
  result.Set(7, value.high);
  return result;
}

smccc::Result HypervProvider::FastSetVpRegisters(const provider::CallContext& context,
                                                 const smccc::Call& call) {
  if (uint16_t status = CheckFastInput(context, call); status != kHvStatusSuccess) {
    return Status(status);
  }
  const uint16_t status = registers_.Set(context.vm, static_cast<uint32_t>(call.x[4]),
                                         {.low = call.x[6], .high = call.x[7]});
  return Status(status, status == kHvStatusSuccess ? 1 : 0);
}

smccc::Result HypervProvider::SlowGetVpRegisters(const provider::CallContext& context,
                                                 const smccc::Call& call) {
  const Control control = Decode(call.x[1]);
  if ((call.x[2] | call.x[3]) % 8 != 0) return Status(kHvStatusInvalidAlignment);
  if (Buffer(call, 1) == nullptr) return Status(kHvStatusInvalidParameter);
  if (uint16_t status = CheckSlowInput(context, call, kMaxGetVpRegistersReps);
      status != kHvStatusSuccess) {
    return Status(status);
  }
  const std::string& in = Buffer(call, 0)->data;
  std::string values(size_t{kRegisterValueBytes} * control.rep_count, '\0');
  uint32_t rep = control.rep_start;
  uint16_t status = kHvStatusSuccess;
  for (; rep < control.rep_count; ++rep) {
    const uint32_t name = static_cast<uint32_t>(
        LoadLittleEndian(in, kVpRegistersHeaderBytes + size_t{kRegisterNameBytes} * rep, 4));
    HvRegisterValue value;
    status = registers_.Get(context.vm, context.vcpu, name, value);
    if (status != kHvStatusSuccess) break;
    StoreLittleEndian(values, size_t{kRegisterValueBytes} * rep, value.low);
    StoreLittleEndian(values, size_t{kRegisterValueBytes} * rep + 8, value.high);
  }
  smccc::Result result = Status(status, rep);
  if (rep > control.rep_start) {
    values.resize(size_t{kRegisterValueBytes} * rep);
    result.memory.push_back({.operand = 1, .data = std::move(values)});
  }
  return result;
}

smccc::Result HypervProvider::SlowSetVpRegisters(const provider::CallContext& context,
                                                 const smccc::Call& call) {
  const Control control = Decode(call.x[1]);
  if (call.x[2] % 8 != 0) return Status(kHvStatusInvalidAlignment);
  if (uint16_t status = CheckSlowInput(context, call, kMaxSetVpRegistersReps);
      status != kHvStatusSuccess) {
    return Status(status);
  }
  const std::string& in = Buffer(call, 0)->data;
  uint32_t rep = control.rep_start;
  uint16_t status = kHvStatusSuccess;
  for (; rep < control.rep_count; ++rep) {
    const size_t entry = kVpRegistersHeaderBytes + size_t{kRegisterAssocBytes} * rep;
    status =
        registers_.Set(context.vm, static_cast<uint32_t>(LoadLittleEndian(in, entry, 4)),
                       {.low = LoadLittleEndian(in, entry + kRegisterAssocValueOffset, 8),
                        .high = LoadLittleEndian(in, entry + kRegisterAssocValueOffset + 8, 8)});
    if (status != kHvStatusSuccess) break;
  }
  return Status(status, rep);
}

}  // namespace hypercall::providers::hyperv
