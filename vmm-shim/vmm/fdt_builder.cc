#include "fdt_builder.h"

#include <libfdt.h>

#include <initializer_list>

#include "absl/strings/str_format.h"
#include "platform.h"

namespace hypercall::vmm {
namespace {

namespace p = platform;

// GIC interrupt specifier cells: type, number, flags (dt-bindings/interrupt-
// controller/arm-gic.h and irq.h).
constexpr uint32_t kGicSpi = 0;
constexpr uint32_t kGicPpi = 1;
constexpr uint32_t kIrqLevelHigh = 4;
constexpr uint32_t kIrqLevelLow = 8;

// Wraps libfdt's sequential writer: the first error sticks and later calls
// are no-ops, so the building code reads as the tree it writes.
class FdtWriter {
 public:
  explicit FdtWriter(size_t capacity) : blob_(capacity) {
    Check(fdt_create(blob_.data(), static_cast<int>(blob_.size())), "create");
    Check(fdt_finish_reservemap(blob_.data()), "finish_reservemap");
  }

  void BeginNode(const char* name) { Check(fdt_begin_node(blob_.data(), name), name); }
  void EndNode() { Check(fdt_end_node(blob_.data()), "end_node"); }

  void String(const char* name, const std::string& value) {
    Check(fdt_property_string(blob_.data(), name, value.c_str()), name);
  }
  // A string list ("a\0b\0").
  void Strings(const char* name, std::initializer_list<const char*> values) {
    std::string joined;
    for (const char* v : values) joined.append(v).push_back('\0');
    Check(fdt_property(blob_.data(), name, joined.data(), static_cast<int>(joined.size())), name);
  }
  void Empty(const char* name) { Check(fdt_property(blob_.data(), name, nullptr, 0), name); }
  void U32(const char* name, uint32_t value) {
    Check(fdt_property_u32(blob_.data(), name, value), name);
  }
  void U64(const char* name, uint64_t value) {
    Check(fdt_property_u64(blob_.data(), name, value), name);
  }
  // Big-endian 32-bit cells.
  void Cells(const char* name, const std::vector<uint32_t>& cells) {
    std::vector<fdt32_t> be;
    for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
    Check(fdt_property(blob_.data(), name, be.data(), static_cast<int>(be.size() * 4)), name);
  }
  // <address size> pairs with #address-cells = #size-cells = 2.
  void Reg(std::initializer_list<std::pair<uint64_t, uint64_t>> ranges) {
    std::vector<uint32_t> cells;
    for (auto [addr, size] : ranges) {
      for (uint64_t v : {addr, size}) {
        cells.push_back(static_cast<uint32_t>(v >> 32));
        cells.push_back(static_cast<uint32_t>(v));
      }
    }
    Cells("reg", cells);
  }

  absl::StatusOr<std::vector<uint8_t>> Finish() {
    Check(fdt_finish(blob_.data()), "finish");
    if (!error_.empty()) {
      return absl::InternalError(absl::StrFormat("building the device tree: %s", error_));
    }
    blob_.resize(fdt_totalsize(blob_.data()));
    return std::move(blob_);
  }

 private:
  void Check(int err, const char* what) {
    if (err >= 0 || !error_.empty()) return;
    error_ = absl::StrFormat("%s: %s", what, fdt_strerror(err));
  }

  std::vector<uint8_t> blob_;
  std::string error_;
};

void AddCpus(FdtWriter& fdt, uint32_t vcpu_count) {
  fdt.BeginNode("cpus");
  fdt.U32("#address-cells", 1);
  fdt.U32("#size-cells", 0);
  for (uint32_t i = 0; i < vcpu_count; ++i) {
    const uint32_t mpidr = static_cast<uint32_t>(p::VcpuMpidr(i));
    fdt.BeginNode(absl::StrFormat("cpu@%x", mpidr).c_str());
    fdt.String("device_type", "cpu");
    fdt.String("compatible", "arm,arm-v8");
    fdt.String("enable-method", "psci");
    fdt.U32("reg", mpidr);
    fdt.EndNode();
  }
  fdt.EndNode();
}

void AddMemory(FdtWriter& fdt, uint64_t base, uint64_t size) {
  fdt.BeginNode(absl::StrFormat("memory@%x", base).c_str());
  fdt.String("device_type", "memory");
  fdt.Reg({{base, size}});
  fdt.EndNode();
}

void AddPsci(FdtWriter& fdt) {
  fdt.BeginNode("psci");
  fdt.Strings("compatible", {"arm,psci-0.2", "arm,psci"});
  fdt.String("method", "hvc");
  fdt.EndNode();
}

void AddGic(FdtWriter& fdt, uint32_t vcpu_count) {
  fdt.BeginNode(absl::StrFormat("intc@%x", p::kGicDistBase).c_str());
  fdt.String("compatible", "arm,gic-v3");
  fdt.U32("#interrupt-cells", 3);
  fdt.Empty("interrupt-controller");
  fdt.Reg({{p::kGicDistBase, p::kGicDistSize},
           {p::kGicRedistBase, p::kGicRedistSizePerCpu * vcpu_count}});
  fdt.U32("phandle", kFdtGicPhandle);
  fdt.EndNode();
}

void AddTimer(FdtWriter& fdt) {
  fdt.BeginNode("timer");
  fdt.String("compatible", "arm,armv8-timer");
  std::vector<uint32_t> interrupts;
  for (uint32_t ppi :
       {p::kTimerPpiSecure, p::kTimerPpiNonSecure, p::kTimerPpiVirtual, p::kTimerPpiHyp}) {
    interrupts.insert(interrupts.end(), {kGicPpi, ppi, kIrqLevelLow});
  }
  fdt.Cells("interrupts", interrupts);
  fdt.Empty("always-on");
  fdt.EndNode();
}

void AddUart(FdtWriter& fdt) {
  fdt.BeginNode(kFdtUartPath + 1);
  fdt.String("compatible", "ns16550a");
  fdt.Reg({{p::kUartBase, p::kUartSize}});
  fdt.U32("reg-shift", 0);
  fdt.U32("reg-io-width", 1);
  fdt.U32("clock-frequency", p::kUartClockHz);
  fdt.Cells("interrupts", {kGicSpi, p::kUartSpi, kIrqLevelHigh});
  fdt.EndNode();
}

void AddExitDevice(FdtWriter& fdt) {
  fdt.BeginNode(kFdtExitDevicePath + 1);
  fdt.String("compatible", "hypercall,vmm-exit");
  fdt.Reg({{p::kExitDeviceBase, p::kExitDeviceSize}});
  fdt.EndNode();
}

void AddChosen(FdtWriter& fdt, const DeviceTreeSpec& spec) {
  fdt.BeginNode("chosen");
  fdt.String("bootargs", spec.bootargs);
  fdt.String("stdout-path", kFdtUartPath);
  if (spec.initrd) {
    fdt.U64("linux,initrd-start", spec.initrd->start);
    fdt.U64("linux,initrd-end", spec.initrd->end);
  }
  fdt.EndNode();
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> BuildDeviceTree(const DeviceTreeSpec& spec) {
  // Ample for the nodes above with 123 vCPUs and a long command line.
  FdtWriter fdt(64 * 1024 + spec.bootargs.size());
  fdt.BeginNode("");
  fdt.String("compatible", "linux,dummy-virt");
  fdt.U32("#address-cells", 2);
  fdt.U32("#size-cells", 2);
  fdt.U32("interrupt-parent", kFdtGicPhandle);
  AddCpus(fdt, spec.vcpu_count);
  AddMemory(fdt, spec.ram_base, spec.ram_size);
  AddPsci(fdt);
  AddGic(fdt, spec.vcpu_count);
  AddTimer(fdt);
  AddUart(fdt);
  AddExitDevice(fdt);
  AddChosen(fdt, spec);
  fdt.EndNode();
  absl::StatusOr<std::vector<uint8_t>> blob = fdt.Finish();
  if (blob.ok() && blob->size() > p::kDtbRegionSize) {
    return absl::OutOfRangeError("the device tree exceeds 2 MiB: shorten --append");
  }
  return blob;
}

}  // namespace hypercall::vmm
