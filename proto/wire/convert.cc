#include "wire/convert.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hypercall::wire {
namespace {

v1::MemoryOperand::Direction ToProto(smccc::MemoryDirection direction) {
  switch (direction) {
    case smccc::MemoryDirection::kIn:
      return v1::MemoryOperand::IN;
    case smccc::MemoryDirection::kOut:
      return v1::MemoryOperand::OUT;
    case smccc::MemoryDirection::kInOut:
      return v1::MemoryOperand::INOUT;
  }
  return v1::MemoryOperand::DIRECTION_UNSPECIFIED;
}

std::optional<smccc::MemoryDirection> FromProto(v1::MemoryOperand::Direction direction) {
  switch (direction) {
    case v1::MemoryOperand::IN:
      return smccc::MemoryDirection::kIn;
    case v1::MemoryOperand::OUT:
      return smccc::MemoryDirection::kOut;
    case v1::MemoryOperand::INOUT:
      return smccc::MemoryDirection::kInOut;
    default:
      return std::nullopt;
  }
}

void ToProto(const std::vector<smccc::MemoryBuffer>& buffers,
             google::protobuf::RepeatedPtrField<v1::MemoryBytes>& out) {
  out.Clear();
  for (const smccc::MemoryBuffer& buffer : buffers) {
    v1::MemoryBytes* bytes = out.Add();
    bytes->set_operand(buffer.operand);
    bytes->set_guest_phys_addr(buffer.guest_phys_addr);
    bytes->set_length(buffer.length);
    bytes->set_direction(ToProto(buffer.direction));
    bytes->set_data(buffer.data);
  }
}

// `what` is "call" or "result"; a call's buffers must name their direction.
absl::StatusOr<std::vector<smccc::MemoryBuffer>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::MemoryBytes>& buffers, const char* what) {
  if (buffers.size() > smccc::kMaxMemoryOperandsPerRange) {
    return absl::InvalidArgumentError(absl::StrFormat("%s has %d memory buffers; at most %d", what,
                                                      buffers.size(),
                                                      smccc::kMaxMemoryOperandsPerRange));
  }
  std::vector<smccc::MemoryBuffer> out;
  out.reserve(buffers.size());
  for (const v1::MemoryBytes& bytes : buffers) {
    if (bytes.data().size() > smccc::kMaxMemoryOperandBytes) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s memory buffer for operand %d has %d bytes; at most %u", what,
                          bytes.operand(), bytes.data().size(), smccc::kMaxMemoryOperandBytes));
    }
    smccc::MemoryBuffer buffer;
    buffer.operand = static_cast<int>(bytes.operand());
    buffer.guest_phys_addr = bytes.guest_phys_addr();
    buffer.length = bytes.length();
    const std::optional<smccc::MemoryDirection> direction = FromProto(bytes.direction());
    if (direction.has_value()) {
      buffer.direction = *direction;
    } else if (std::string_view(what) == "call") {
      return absl::InvalidArgumentError(
          absl::StrFormat("call memory buffer for operand %d has no direction (IN, OUT or INOUT)",
                          bytes.operand()));
    }
    buffer.data = bytes.data();
    out.push_back(std::move(buffer));
  }
  return out;
}

absl::StatusOr<smccc::FunctionRange> RangeFrom(uint32_t first_function_id, uint32_t count) {
  if (count == 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range 0x%08x+0 is empty: count must be at least 1", first_function_id));
  }
  const uint64_t last = uint64_t{first_function_id} + count - 1;
  if (last > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range 0x%08x+%u runs past 0xffffffff", first_function_id, count));
  }
  return smccc::FunctionRange{first_function_id, static_cast<uint32_t>(last)};
}

template <typename Message>
void SetRangeOf(const smccc::FunctionRange& range, Message& out) {
  out.set_first_function_id(range.first);
  out.set_count(static_cast<uint32_t>(range.size()));
}

}  // namespace

absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::Claim& claim) {
  return RangeFrom(claim.first_function_id(), claim.count());
}

absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::PlannedRange& range) {
  return RangeFrom(range.first_function_id(), range.count());
}

absl::StatusOr<smccc::FunctionRange> RangeFromProto(const v1::RangeInfo& range) {
  return RangeFrom(range.first_function_id(), range.count());
}

void SetRange(const smccc::FunctionRange& range, v1::Claim& out) { SetRangeOf(range, out); }
void SetRange(const smccc::FunctionRange& range, v1::PlannedRange& out) { SetRangeOf(range, out); }
void SetRange(const smccc::FunctionRange& range, v1::RangeInfo& out) { SetRangeOf(range, out); }

void ToProto(const smccc::RangeClaim& claim, v1::Claim& out) {
  SetRange(claim.range, out);
  out.set_args_read_mask(claim.args_read_mask);
  ToProto(claim.memory, *out.mutable_memory());
  out.set_secret_results(claim.secret_results);
}

absl::StatusOr<smccc::RangeClaim> FromProto(const v1::Claim& claim) {
  absl::StatusOr<smccc::FunctionRange> range = RangeFromProto(claim);
  if (!range.ok()) return range.status();
  absl::StatusOr<std::vector<smccc::MemoryOperand>> memory = FromProto(claim.memory());
  if (!memory.ok()) return memory.status();
  return smccc::RangeClaim{*range, claim.args_read_mask(), *std::move(memory),
                           claim.secret_results()};
}

void ToProto(const smccc::Call& call, v1::Call& out) {
  out.set_function_id(call.function_id);
  out.set_conduit(call.conduit == smccc::Conduit::kSmc ? v1::CONDUIT_SMC : v1::CONDUIT_HVC);
  out.set_args_read_mask(call.args_read_mask);
  // Send up to the highest non-zero argument: trailing zeros are implied.
  int last = smccc::kMaxArgRegister;
  while (last >= 1 && call.x[last] == 0) --last;
  out.clear_args();
  for (int i = 1; i <= last; ++i) out.add_args(call.x[i]);
  ToProto(call.memory, *out.mutable_memory());
}

void ToProto(const smccc::Result& result, v1::Result& out) {
  int last = smccc::kNumRegisters - 1;
  while (last >= 1 && result.x[last] == 0) --last;
  out.clear_regs();
  for (int i = 0; i <= last; ++i) out.add_regs(result.x[i]);
  out.set_written_mask(result.written_mask | 1);
  ToProto(result.memory, *out.mutable_memory());
}

const char* DirectionName(v1::MemoryOperand::Direction direction) {
  const std::optional<smccc::MemoryDirection> known = FromProto(direction);
  return known.has_value() ? smccc::MemoryDirectionName(*known) : "?";
}

void ToProto(const smccc::MemoryOperand& operand, v1::MemoryOperand& out) {
  out.set_address_register(operand.address_register);
  out.set_length(operand.length);
  out.set_direction(ToProto(operand.direction));
  out.set_when_register(operand.when_register);
  out.set_when_mask(operand.when_mask);
  out.set_when_value(operand.when_value);
  if (operand.bad_address_x0.has_value()) {
    out.set_bad_address_x0(*operand.bad_address_x0);
  } else {
    out.clear_bad_address_x0();
  }
}

void ToProto(const std::vector<smccc::MemoryOperand>& operands,
             google::protobuf::RepeatedPtrField<v1::MemoryOperand>& out) {
  out.Clear();
  for (const smccc::MemoryOperand& operand : operands) ToProto(operand, *out.Add());
}

absl::StatusOr<smccc::Call> FromProto(const v1::Call& call) {
  if (call.args_size() > smccc::kMaxArgRegister) {
    return absl::InvalidArgumentError(
        absl::StrCat("call has ", call.args_size(), " argument registers; at most 17 (x1..x17)"));
  }
  if (call.conduit() != v1::CONDUIT_HVC && call.conduit() != v1::CONDUIT_SMC) {
    return absl::InvalidArgumentError("call conduit must be CONDUIT_HVC or CONDUIT_SMC");
  }
  smccc::Call out;
  out.function_id = call.function_id();
  out.conduit = call.conduit() == v1::CONDUIT_SMC ? smccc::Conduit::kSmc : smccc::Conduit::kHvc;
  out.args_read_mask = call.args_read_mask() & smccc::kAllArgRegisters;
  for (int i = 0; i < call.args_size(); ++i) out.x[i + 1] = call.args(i);
  absl::StatusOr<std::vector<smccc::MemoryBuffer>> memory = FromProto(call.memory(), "call");
  if (!memory.ok()) return memory.status();
  out.memory = *std::move(memory);
  return out;
}

absl::StatusOr<smccc::Result> FromProto(const v1::Result& result) {
  if (result.regs_size() > smccc::kNumRegisters) {
    return absl::InvalidArgumentError(
        absl::StrCat("result has ", result.regs_size(), " registers; at most 18 (x0..x17)"));
  }
  if ((result.written_mask() & ~smccc::kAllResultRegisters) != 0) {
    return absl::InvalidArgumentError("result written_mask names registers beyond x17");
  }
  smccc::Result out;
  for (int i = 0; i < result.regs_size(); ++i) out.x[i] = result.regs(i);
  out.written_mask = result.written_mask() | 1;
  absl::StatusOr<std::vector<smccc::MemoryBuffer>> memory = FromProto(result.memory(), "result");
  if (!memory.ok()) return memory.status();
  out.memory = *std::move(memory);
  return out;
}

absl::StatusOr<smccc::MemoryOperand> FromProto(const v1::MemoryOperand& operand) {
  const std::optional<smccc::MemoryDirection> direction = FromProto(operand.direction());
  if (!direction.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("memory operand at x%d has no direction: say IN, OUT or INOUT",
                        operand.address_register()));
  }
  smccc::MemoryOperand out;
  // Registers beyond int range are caught by CheckMemoryOperands as > 17.
  out.address_register = static_cast<int>(std::min<uint32_t>(operand.address_register(), 1000));
  out.length = operand.length();
  out.direction = *direction;
  out.when_register = static_cast<int>(std::min<uint32_t>(operand.when_register(), 1000));
  out.when_mask = operand.when_mask();
  out.when_value = operand.when_value();
  if (operand.has_bad_address_x0()) out.bad_address_x0 = operand.bad_address_x0();
  return out;
}

absl::StatusOr<std::vector<smccc::MemoryOperand>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::MemoryOperand>& operands) {
  std::vector<smccc::MemoryOperand> out;
  out.reserve(operands.size());
  for (const v1::MemoryOperand& operand : operands) {
    absl::StatusOr<smccc::MemoryOperand> converted = FromProto(operand);
    if (!converted.ok()) return converted.status();
    out.push_back(*std::move(converted));
  }
  return out;
}

}  // namespace hypercall::wire
