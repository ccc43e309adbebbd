#include "hypercallctl/register_format.h"

#include "absl/strings/str_format.h"
#include "smccc/return_codes.h"

namespace hypercall::ctl {

std::string Hex(uint64_t value) { return absl::StrFormat("0x%x", value); }

std::string RegisterName(int i) { return absl::StrFormat("x%d", i); }

std::vector<int> RegistersIn(smccc::RegisterMask mask) {
  std::vector<int> registers;
  for (int i = 0; i < smccc::kNumRegisters; ++i) {
    if ((mask >> i) & 1) registers.push_back(i);
  }
  return registers;
}

std::string RegisterRanges(smccc::RegisterMask mask) {
  const std::vector<int> registers = RegistersIn(mask);
  if (registers.empty()) return "-";
  std::string out;
  for (size_t i = 0; i < registers.size();) {
    size_t end = i;
    while (end + 1 < registers.size() && registers[end + 1] == registers[end] + 1) ++end;
    if (!out.empty()) out += ',';
    out += RegisterName(registers[i]);
    if (end > i) out += "-" + RegisterName(registers[end]);
    i = end + 1;
  }
  return out;
}

std::string DescribeX0(uint32_t function_id, uint64_t x0) {
  if (std::optional<std::string_view> code = smccc::ReturnCodeName(function_id, x0)) {
    return absl::StrFormat("0x%x(%s)", x0, *code);
  }
  return Hex(x0);
}

std::string ConduitName(v1::Conduit conduit) {
  switch (conduit) {
    case v1::CONDUIT_HVC:
      return "HVC";
    case v1::CONDUIT_SMC:
      return "SMC";
    default:
      return "?";
  }
}

}  // namespace hypercall::ctl
