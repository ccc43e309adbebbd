#include "hypercall/shim/vcpu_backend.h"

#include "absl/strings/str_cat.h"

namespace hypercall::shim {
namespace {

absl::Status CheckIndex(int index) {
  if (index < 0 || index >= smccc::kNumRegisters) {
    return absl::InvalidArgumentError(
        absl::StrCat("register index ", index, " is outside x0..x17"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> VcpuBackend::ReadRegister(int index) {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  ++counts_.reads;
  return DoReadRegister(index);
}

absl::Status VcpuBackend::WriteRegister(int index, uint64_t value) {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  ++counts_.writes;
  return DoWriteRegister(index, value);
}

}  // namespace hypercall::shim
