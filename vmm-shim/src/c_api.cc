// The C API (hypercall/shim.h): thin wrappers over the C++ shim.
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "hypercall/shim.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/kvm_arm64_vcpu.h"
#include "hypercall/shim/kvm_install.h"
#include "hypercall/shim/kvm_smccc_filter.h"
#include "hypercall/shim/shim.h"

struct hypercall_shim {
  // Declared first: the shim uses it until it is gone.
  std::optional<hypercall::shim::MappedGuestMemory> memory;
  std::unique_ptr<hypercall::shim::Shim> shim;
};

namespace {

using hypercall::shim::CallOutcome;
using hypercall::shim::MappedGuestMemory;
using hypercall::shim::MappedRamRegion;
using hypercall::shim::VcpuBackend;

int Fail(const absl::Status& status, char* err, size_t err_size) {
  if (err != nullptr && err_size > 0) {
    std::snprintf(err, err_size, "%s", status.ToString().c_str());
  }
  return -1;
}

// A VcpuBackend over the VMM's C callbacks.
class CallbackVcpu : public VcpuBackend {
 public:
  explicit CallbackVcpu(const hypercall_vcpu_ops& ops) : ops_(ops) {}
  uint32_t FunctionId() const override { return ops_.function_id(ops_.context); }
  hypercall::smccc::Conduit conduit() const override {
    return ops_.is_smc(ops_.context) != 0 ? hypercall::smccc::Conduit::kSmc
                                          : hypercall::smccc::Conduit::kHvc;
  }

 protected:
  absl::StatusOr<uint64_t> DoReadRegister(int index) override {
    uint64_t value = 0;
    if (int r = ops_.read_register(ops_.context, index, &value); r != 0) {
      return absl::ErrnoToStatus(-r, "read_register callback failed");
    }
    return value;
  }
  absl::Status DoWriteRegister(int index, uint64_t value) override {
    if (int r = ops_.write_register(ops_.context, index, value); r != 0) {
      return absl::ErrnoToStatus(-r, "write_register callback failed");
    }
    return absl::OkStatus();
  }

 private:
  const hypercall_vcpu_ops& ops_;
};

// The VM's RAM as the shim reaches it: nullopt when no region has a host
// mapping; InvalidArgument when only some have, or for bad regions.
absl::StatusOr<std::optional<MappedGuestMemory>> GuestMemoryOf(const hypercall_vm_info& vm) {
  std::vector<MappedRamRegion> regions;
  for (size_t i = 0; i < vm.ram_count; ++i) {
    const hypercall_ram_region& r = vm.ram[i];
    if ((r.host == nullptr) != (vm.ram[0].host == nullptr)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "vm->ram[0].host is %s but vm->ram[%d].host is %s: give every region its host mapping "
          "(for memory operands), or none",
          vm.ram[0].host == nullptr ? "NULL" : "set", i, r.host == nullptr ? "NULL" : "set"));
    }
    regions.push_back({r.guest_phys_addr, r.size, r.host});
  }
  if (regions.empty() || regions[0].host == nullptr) return std::nullopt;
  absl::StatusOr<MappedGuestMemory> memory = MappedGuestMemory::Create(std::move(regions));
  if (!memory.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("vm->ram: %s", memory.status().message()));
  }
  return *std::move(memory);
}

int Handle(hypercall_shim* shim, uint32_t vcpu_index, VcpuBackend& vcpu,
           hypercall_call_outcome* out, char* err, size_t err_size) {
  absl::StatusOr<CallOutcome> outcome = shim->shim->HandleHypercall(vcpu_index, vcpu);
  if (!outcome.ok()) return Fail(outcome.status(), err, err_size);
  if (out != nullptr) {
    out->function_id = outcome->function_id;
    out->disposition = static_cast<int>(outcome->disposition);
    std::memcpy(out->x, outcome->result.x.data(), sizeof(out->x));
    out->written_mask = outcome->result.written_mask;
    out->register_reads = static_cast<uint32_t>(outcome->registers.reads);
    out->register_writes = static_cast<uint32_t>(outcome->registers.writes);
    out->latency_ns = static_cast<uint64_t>(outcome->latency.count());
  }
  return 0;
}

}  // namespace

static_assert(HYPERCALL_BROKERED == static_cast<int>(hypercall::shim::Disposition::kBrokered));
static_assert(HYPERCALL_NOT_PLANNED == static_cast<int>(hypercall::shim::Disposition::kNotPlanned));
static_assert(HYPERCALL_UNAVAILABLE ==
              static_cast<int>(hypercall::shim::Disposition::kUnavailable));
static_assert(HYPERCALL_DEADLINE_EXCEEDED ==
              static_cast<int>(hypercall::shim::Disposition::kDeadlineExceeded));
static_assert(HYPERCALL_BAD_ADDRESS == static_cast<int>(hypercall::shim::Disposition::kBadAddress));
static_assert(HYPERCALL_MALFORMED_RESULT ==
              static_cast<int>(hypercall::shim::Disposition::kMalformedResult));

extern "C" {

void hypercall_shim_options_init(hypercall_shim_options* options) {
  const hypercall::shim::ShimOptions defaults;
  options->runtime_dir = nullptr;
  options->call_deadline_ms = static_cast<uint32_t>(defaults.call_deadline.count());
  options->attach_timeout_ms = static_cast<uint32_t>(defaults.attach_timeout.count());
}

hypercall_shim* hypercall_shim_connect(const hypercall_vm_info* vm,
                                       const hypercall_shim_options* options, char* err,
                                       size_t err_size) {
  if (vm == nullptr || vm->name == nullptr || (vm->ram_count > 0 && vm->ram == nullptr)) {
    Fail(absl::InvalidArgumentError("vm, vm->name and vm->ram (when ram_count > 0) are required"),
         err, err_size);
    return nullptr;
  }
  hypercall::shim::VmDescription description;
  description.name = vm->name;
  if (vm->uuid != nullptr) {
    std::array<uint8_t, 16> uuid;
    std::memcpy(uuid.data(), vm->uuid, uuid.size());
    description.uuid = uuid;
  }
  description.vcpu_count = vm->vcpu_count;
  for (size_t i = 0; i < vm->ram_count; ++i) {
    description.ram.push_back({vm->ram[i].guest_phys_addr, vm->ram[i].size});
  }
  description.stolen_time = {vm->stolen_time_addr, vm->stolen_time_size};
  hypercall::shim::ShimOptions shim_options;
  if (options != nullptr) {
    if (options->runtime_dir != nullptr) shim_options.runtime_dir = options->runtime_dir;
    if (options->call_deadline_ms != 0) {
      shim_options.call_deadline = std::chrono::milliseconds(options->call_deadline_ms);
    }
    if (options->attach_timeout_ms != 0) {
      shim_options.attach_timeout = std::chrono::milliseconds(options->attach_timeout_ms);
    }
  }
  absl::StatusOr<std::optional<MappedGuestMemory>> memory = GuestMemoryOf(*vm);
  if (!memory.ok()) {
    Fail(memory.status(), err, err_size);
    return nullptr;
  }
  auto handle = std::make_unique<hypercall_shim>();
  handle->memory = *std::move(memory);
  auto shim = hypercall::shim::Shim::Connect(description, shim_options,
                                             handle->memory ? &*handle->memory : nullptr);
  if (!shim.ok()) {
    Fail(shim.status(), err, err_size);
    return nullptr;
  }
  handle->shim = *std::move(shim);
  return handle.release();
}

void hypercall_shim_close(hypercall_shim* shim) { delete shim; }

size_t hypercall_shim_plan_size(const hypercall_shim* shim) {
  return shim->shim->plan().ranges().size();
}

int hypercall_shim_plan_range(const hypercall_shim* shim, size_t i, hypercall_planned_range* out) {
  const auto& ranges = shim->shim->plan().ranges();
  if (i >= ranges.size()) return -1;
  out->first_function_id = ranges[i].first;
  out->count = ranges[i].count;
  out->args_read_mask = ranges[i].args_read_mask;
  return 0;
}

int hypercall_shim_install_kvm_filter(const hypercall_shim* shim, int vm_fd, char* err,
                                      size_t err_size) {
  hypercall::shim::KvmSmcccFilter filter(vm_fd);
  if (absl::Status s = filter.Install(shim->shim->plan()); !s.ok()) {
    return Fail(s, err, err_size);
  }
  return 0;
}

int hypercall_shim_install_kvm(const hypercall_shim* shim, int vm_fd, const int* vcpu_fds,
                               size_t vcpu_count, char* notes, size_t notes_size, char* err,
                               size_t err_size) {
  if (vcpu_fds == nullptr || vcpu_count != shim->shim->vcpu_count()) {
    return Fail(absl::InvalidArgumentError(absl::StrFormat(
                    "vcpu_fds must hold every vCPU's fd: %u for this VM, got %u%s",
                    shim->shim->vcpu_count(), vcpu_count, vcpu_fds == nullptr ? " (NULL)" : "")),
                err, err_size);
  }
  absl::StatusOr<hypercall::shim::KvmInstallReport> report = hypercall::shim::InstallPlanInKvm(
      shim->shim->plan(), vm_fd, std::span<const int>(vcpu_fds, vcpu_count));
  if (!report.ok()) return Fail(report.status(), err, err_size);
  if (notes != nullptr && notes_size > 0) {
    std::string lines;
    for (const std::string& note : report->notes) lines += note + "\n";
    std::snprintf(notes, notes_size, "%s", lines.c_str());
  }
  return 0;
}

int hypercall_shim_handle_kvm_exit(hypercall_shim* shim, uint32_t vcpu_index, int vcpu_fd,
                                   const void* kvm_run, hypercall_call_outcome* out, char* err,
                                   size_t err_size) {
  hypercall::shim::KvmArm64Vcpu vcpu(vcpu_fd, kvm_run);
  return Handle(shim, vcpu_index, vcpu, out, err, err_size);
}

int hypercall_shim_handle_call(hypercall_shim* shim, uint32_t vcpu_index,
                               const hypercall_vcpu_ops* ops, hypercall_call_outcome* out,
                               char* err, size_t err_size) {
  if (ops == nullptr || ops->function_id == nullptr || ops->is_smc == nullptr ||
      ops->read_register == nullptr || ops->write_register == nullptr) {
    return Fail(absl::InvalidArgumentError("every hypercall_vcpu_ops callback is required"), err,
                err_size);
  }
  CallbackVcpu vcpu(*ops);
  return Handle(shim, vcpu_index, vcpu, out, err, err_size);
}

void hypercall_shim_vcpu_stats(const hypercall_shim* shim, uint32_t vcpu_index,
                               hypercall_vcpu_stats* out) {
  const hypercall::shim::VcpuStats s = shim->shim->vcpu_stats(vcpu_index);
  *out = {s.calls,           s.brokered,          s.not_planned,
          s.unavailable,     s.deadline_exceeded, s.register_reads,
          s.register_writes, s.bad_address,       s.malformed_result};
}

int hypercall_shim_connected(const hypercall_shim* shim) { return shim->shim->connected() ? 1 : 0; }

}  // extern "C"
