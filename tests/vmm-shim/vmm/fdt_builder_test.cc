// The device tree read back with libfdt, the way Linux finds things in it.
#include "fdt_builder.h"

#include <libfdt.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "platform.h"

namespace hypercall::vmm {
namespace {

class FdtBuilderTest : public ::testing::Test {
 protected:
  void Build(const DeviceTreeSpec& spec) {
    absl::StatusOr<std::vector<uint8_t>> blob = BuildDeviceTree(spec);
    ASSERT_TRUE(blob.ok()) << blob.status();
    blob_ = *std::move(blob);
    ASSERT_EQ(fdt_check_header(blob_.data()), 0);
    ASSERT_EQ(fdt_totalsize(blob_.data()), blob_.size());
  }

  int Node(const char* path) {
    const int offset = fdt_path_offset(blob_.data(), path);
    EXPECT_GE(offset, 0) << path;
    return offset;
  }

  std::string Str(const char* path, const char* name) {
    int len = 0;
    const void* p = fdt_getprop(blob_.data(), Node(path), name, &len);
    if (p == nullptr || len <= 0) return "<missing>";
    return std::string(static_cast<const char*>(p), len - 1);  // Drops the final NUL.
  }

  std::vector<uint32_t> Cells(const char* path, const char* name) {
    int len = 0;
    const auto* p = static_cast<const fdt32_t*>(fdt_getprop(blob_.data(), Node(path), name, &len));
    std::vector<uint32_t> cells;
    for (int i = 0; p != nullptr && i < len / 4; ++i) cells.push_back(fdt32_to_cpu(p[i]));
    return cells;
  }

  bool Has(const char* path, const char* name) {
    return fdt_getprop(blob_.data(), Node(path), name, nullptr) != nullptr;
  }

  std::vector<uint8_t> blob_;
};

DeviceTreeSpec LinuxSpec() {
  DeviceTreeSpec spec;
  spec.vcpu_count = 2;
  spec.ram_base = 0x40000000;
  spec.ram_size = 256ull << 20;
  spec.bootargs = "console=ttyS0 quiet rdinit=/init";
  spec.initrd = GuestRange{0x4f000000, 0x4f123456};
  return spec;
}

TEST_F(FdtBuilderTest, RootAddressesWithTwoCellsAndTheGicAsInterruptParent) {
  Build(LinuxSpec());
  EXPECT_EQ(Str("/", "compatible"), "linux,dummy-virt");
  EXPECT_EQ(Cells("/", "#address-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(Cells("/", "#size-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(Cells("/", "interrupt-parent"), std::vector<uint32_t>{kFdtGicPhandle});
  EXPECT_EQ(fdt_node_offset_by_phandle(blob_.data(), kFdtGicPhandle), Node("/intc@8000000"));
}

TEST_F(FdtBuilderTest, OneCpuNodePerVcpuWithPsciAndKvmMpidr) {
  DeviceTreeSpec spec = LinuxSpec();
  spec.vcpu_count = 17;
  Build(spec);
  EXPECT_EQ(Cells("/cpus", "#address-cells"), std::vector<uint32_t>{1});
  EXPECT_EQ(Cells("/cpus", "#size-cells"), std::vector<uint32_t>{0});
  EXPECT_EQ(Str("/cpus/cpu@0", "device_type"), "cpu");
  EXPECT_EQ(Str("/cpus/cpu@0", "enable-method"), "psci");
  EXPECT_EQ(Cells("/cpus/cpu@f", "reg"), std::vector<uint32_t>{15});
  // vCPU 16 is Aff1 = 1, Aff0 = 0.
  EXPECT_EQ(Cells("/cpus/cpu@100", "reg"), std::vector<uint32_t>{0x100});
  int cpus = 0;
  int node;
  fdt_for_each_subnode(node, blob_.data(), Node("/cpus"))++ cpus;
  EXPECT_EQ(cpus, 17);
}

TEST_F(FdtBuilderTest, MemoryAndPsciByHvc) {
  Build(LinuxSpec());
  EXPECT_EQ(Str("/memory@40000000", "device_type"), "memory");
  EXPECT_EQ(Cells("/memory@40000000", "reg"),
            (std::vector<uint32_t>{0, 0x40000000, 0, 0x10000000}));
  EXPECT_EQ(fdt_node_check_compatible(blob_.data(), Node("/psci"), "arm,psci-0.2"), 0);
  EXPECT_EQ(Str("/psci", "method"), "hvc");
}

TEST_F(FdtBuilderTest, GicV3WithOneRedistributorFramePerVcpu) {
  Build(LinuxSpec());
  EXPECT_EQ(Str("/intc@8000000", "compatible"), "arm,gic-v3");
  EXPECT_TRUE(Has("/intc@8000000", "interrupt-controller"));
  EXPECT_EQ(Cells("/intc@8000000", "#interrupt-cells"), std::vector<uint32_t>{3});
  EXPECT_EQ(Cells("/intc@8000000", "reg"),
            (std::vector<uint32_t>{0, 0x08000000, 0, 0x10000, 0, 0x080A0000, 0, 0x40000}));
}

TEST_F(FdtBuilderTest, ArchTimerPpis) {
  Build(LinuxSpec());
  EXPECT_EQ(Str("/timer", "compatible"), "arm,armv8-timer");
  EXPECT_EQ(Cells("/timer", "interrupts"),
            (std::vector<uint32_t>{1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8}));
}

TEST_F(FdtBuilderTest, Ns16550aOnSpi1LevelHigh) {
  Build(LinuxSpec());
  EXPECT_EQ(Str(kFdtUartPath, "compatible"), "ns16550a");
  EXPECT_EQ(Cells(kFdtUartPath, "reg"), (std::vector<uint32_t>{0, 0x09000000, 0, 0x1000}));
  EXPECT_EQ(Cells(kFdtUartPath, "reg-shift"), std::vector<uint32_t>{0});
  EXPECT_EQ(Cells(kFdtUartPath, "reg-io-width"), std::vector<uint32_t>{1});
  EXPECT_EQ(Cells(kFdtUartPath, "clock-frequency"), std::vector<uint32_t>{1843200});
  EXPECT_EQ(Cells(kFdtUartPath, "interrupts"), (std::vector<uint32_t>{0, 1, 4}));
}

TEST_F(FdtBuilderTest, ExitDevice) {
  Build(LinuxSpec());
  EXPECT_EQ(Str(kFdtExitDevicePath, "compatible"), "hypercall,vmm-exit");
  EXPECT_EQ(Cells(kFdtExitDevicePath, "reg"), (std::vector<uint32_t>{0, 0x09010000, 0, 0x1000}));
}

TEST_F(FdtBuilderTest, ChosenHasBootargsInitrdAndStdoutPath) {
  Build(LinuxSpec());
  EXPECT_EQ(Str("/chosen", "bootargs"), "console=ttyS0 quiet rdinit=/init");
  EXPECT_EQ(Str("/chosen", "stdout-path"), kFdtUartPath);
  EXPECT_EQ(Cells("/chosen", "linux,initrd-start"), (std::vector<uint32_t>{0, 0x4f000000}));
  EXPECT_EQ(Cells("/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0, 0x4f123456}));
}

TEST_F(FdtBuilderTest, NoInitrdPropertiesWithoutAnInitrd) {
  DeviceTreeSpec spec = LinuxSpec();
  spec.initrd.reset();
  spec.bootargs.clear();
  Build(spec);
  EXPECT_FALSE(Has("/chosen", "linux,initrd-start"));
  EXPECT_EQ(Str("/chosen", "bootargs"), "");
}

TEST_F(FdtBuilderTest, MaximumVcpusAndLongCommandLineStillFit) {
  DeviceTreeSpec spec = LinuxSpec();
  spec.vcpu_count = platform::kMaxVcpus;
  spec.bootargs = std::string(100000, 'x');
  Build(spec);
  EXPECT_LT(blob_.size(), platform::kDtbRegionSize);
  EXPECT_EQ(Str("/chosen", "bootargs").size(), 100000u);
}

TEST_F(FdtBuilderTest, RefusesATreeLargerThanTwoMiB) {
  DeviceTreeSpec spec = LinuxSpec();
  spec.bootargs = std::string(3 << 20, 'x');
  EXPECT_EQ(BuildDeviceTree(spec).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace hypercall::vmm
