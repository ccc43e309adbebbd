// Shim::Connect and PV stolen time, against a stand-in daemon: the VM's
// stolen-time region goes to the daemon as VmInfo.stolen_time, and a plan
// whose records are not one per vCPU inside that region is refused (KVM
// would keep each record current wherever the plan put it, guest RAM
// included).
#include <vector>

#include "fake_daemon.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/shim/shim.h"

namespace hypercall::shim::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kRegion = 0x090a0000;

VmDescription TwoVcpuVm(uint64_t stolen_time_size) {
  VmDescription vm;
  vm.name = "pvtime-vm";
  vm.vcpu_count = 2;
  vm.ram = {{0x40000000, 0x100000}};
  vm.stolen_time = {kRegion, stolen_time_size};
  return vm;
}

v1::ForwardingPlan PvTimePlan(std::vector<uint64_t> records) {
  v1::ForwardingPlan plan;
  v1::PlannedRange* r = plan.add_ranges();
  r->set_first_function_id(0xc5000020);
  r->set_count(2);
  r->set_args_read_mask(0x2);
  r->set_provider("pvtime");
  for (uint64_t record : records) plan.add_stolen_time_records(record);
  return plan;
}

absl::StatusOr<std::unique_ptr<Shim>> ConnectTo(const FakeDaemon& daemon, const VmDescription& vm) {
  ShimOptions options;
  options.runtime_dir = daemon.runtime_dir();
  options.log = [](LogSeverity, const std::string&) {};
  return Shim::Connect(vm, options);
}

v1::Result Unused(const v1::Call&) { return v1::Result(); }

TEST(ShimStolenTimeTest, SendsTheRegionAndKeepsOneRecordPerVcpu) {
  auto daemon = FakeDaemon::Start(PvTimePlan({kRegion, kRegion + 64}), Unused);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<std::unique_ptr<Shim>> shim = ConnectTo(**daemon, TwoVcpuVm(0x10000));
  ASSERT_TRUE(shim.ok()) << shim.status();
  EXPECT_THAT((*shim)->plan().stolen_time_records(), ElementsAre(kRegion, kRegion + 64));
  const std::vector<v1::VmInfo> vms = (*daemon)->attached_vms();
  ASSERT_EQ(vms.size(), 1u);
  ASSERT_TRUE(vms[0].has_stolen_time());
  EXPECT_EQ(vms[0].stolen_time().guest_phys_addr(), kRegion);
  EXPECT_EQ(vms[0].stolen_time().size(), 0x10000u);
}

TEST(ShimStolenTimeTest, AVmWithoutARegionSendsNone) {
  auto daemon = FakeDaemon::Start(PvTimePlan({}), Unused);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<std::unique_ptr<Shim>> shim = ConnectTo(**daemon, TwoVcpuVm(0));
  ASSERT_TRUE(shim.ok()) << shim.status();
  EXPECT_TRUE((*shim)->plan().stolen_time_records().empty());
  ASSERT_EQ((*daemon)->attached_vms().size(), 1u);
  EXPECT_FALSE((*daemon)->attached_vms()[0].has_stolen_time());
}

struct BadRecords {
  const char* what;
  std::vector<uint64_t> records;
  const char* says;
};

class ShimStolenTimeRefusalTest : public ::testing::TestWithParam<BadRecords> {};

TEST_P(ShimStolenTimeRefusalTest, RefusesThePlan) {
  auto daemon = FakeDaemon::Start(PvTimePlan(GetParam().records), Unused);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  // A region of two records exactly.
  absl::StatusOr<std::unique_ptr<Shim>> shim = ConnectTo(**daemon, TwoVcpuVm(128));
  EXPECT_TRUE(absl::IsInvalidArgument(shim.status())) << shim.status();
  EXPECT_THAT(shim.status().message(), HasSubstr("malformed forwarding plan"));
  EXPECT_THAT(shim.status().message(), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Records, ShimStolenTimeRefusalTest,
    ::testing::Values(
        BadRecords{"one for two vCPUs", {kRegion}, "1 stolen-time records for a VM of 2 vCPUs"},
        BadRecords{"three for two vCPUs",
                   {kRegion, kRegion + 64, kRegion + 128},
                   "3 stolen-time records for a VM of 2 vCPUs"},
        BadRecords{"unaligned", {kRegion, kRegion + 32}, "not 64-byte aligned"},
        BadRecords{"below the region",
                   {kRegion - 64, kRegion},
                   "vCPU 0, 0x909ffc0, is outside the VM's stolen-time region 0x90a0000+0x80"},
        BadRecords{"in guest RAM", {kRegion, 0x40000000}, "vCPU 1, 0x40000000, is outside"},
        BadRecords{"past the region", {kRegion, kRegion + 128}, "vCPU 1, 0x90a0080, is outside"}),
    [](const ::testing::TestParamInfo<BadRecords>& info) {
      std::string name;
      for (const char* p = info.param.what; *p != '\0'; ++p) {
        if (*p != ' ') name += *p;
      }
      return name;
    });

TEST(ShimStolenTimeTest, RecordsForAVmThatGaveNoRegionAreRefused) {
  auto daemon = FakeDaemon::Start(PvTimePlan({kRegion, kRegion + 64}), Unused);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<std::unique_ptr<Shim>> shim = ConnectTo(**daemon, TwoVcpuVm(0));
  EXPECT_TRUE(absl::IsInvalidArgument(shim.status())) << shim.status();
  EXPECT_THAT(shim.status().message(), HasSubstr("outside the VM's stolen-time region"));
}

}  // namespace
}  // namespace hypercall::shim::testing
