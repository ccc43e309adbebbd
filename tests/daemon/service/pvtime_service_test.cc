// PV time end to end in the real daemon (`--providers trng,pvtime`) over its
// real socket: the plan gives each vCPU of a VM with a stolen-time region
// its record, and PV_TIME_ST on each vCPU's own stream answers that record;
// a VM without a region, or a daemon without the provider, plans none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/vmm_client.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"
#include "support/daemon_process.h"

namespace hypercall::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kRegion = 0x090a0000;

v1::VmInfo VmWithRegion(const std::string& name, uint32_t vcpus) {
  v1::VmInfo vm = TestVm(name, vcpus);
  vm.mutable_stolen_time()->set_guest_phys_addr(kRegion);
  vm.mutable_stolen_time()->set_size(0x10000);
  return vm;
}

std::unique_ptr<DaemonProcess> StartDaemon(const std::vector<std::string>& args) {
  auto daemon = DaemonProcess::Start(args);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? std::move(*daemon) : nullptr;
}

// x0 = `x0` and nothing else written.
void ExpectOnlyX0(const absl::StatusOr<v1::Result>& result, uint64_t x0) {
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Reg(*result, 0), x0);
  EXPECT_EQ(result->written_mask(), 1u);
  for (int i = 1; i < 18; ++i) EXPECT_EQ(Reg(*result, i), 0u) << "x" << i;
}

TEST(PvTimeServiceTest, EachVcpuGetsItsOwnRecord) {
  auto daemon = StartDaemon({"--providers", "trng,pvtime"});
  ASSERT_NE(daemon, nullptr);
  auto stub = v1::VmmService::NewStub(Connect(daemon->vmm_target()));
  auto vm = AttachedVm::Attach(*stub, VmWithRegion("pv-vm", 3));
  ASSERT_TRUE(vm.ok()) << vm.status();

  const v1::ForwardingPlan& plan = (*vm)->attached().plan();
  EXPECT_THAT(plan.stolen_time_records(), ElementsAre(kRegion, kRegion + 64, kRegion + 128));
  bool forwards_pv_time = false;
  for (const v1::PlannedRange& range : plan.ranges()) {
    if (range.first_function_id() == smccc::kPvTimeFeatures) {
      forwards_pv_time = true;
      EXPECT_EQ(range.count(), 2u);
      EXPECT_EQ(range.provider(), "pvtime");
      EXPECT_EQ(range.args_read_mask(), 0x2u);
    }
  }
  EXPECT_TRUE(forwards_pv_time) << plan.DebugString();

  // Opened out of order: the answer follows the stream's vCPU, not the order.
  for (uint32_t index : {2u, 0u, 1u}) {
    auto vcpu = VcpuClient::Open(*stub, (*vm)->session_id(), index);
    ASSERT_TRUE(vcpu.ok()) << vcpu.status();
    ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeFeatures, {smccc::kPvTimeFeatures}), smccc::kSuccess);
    ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeFeatures, {smccc::kPvTimeSt}), smccc::kSuccess);
    ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeFeatures, {0xc5000022}),
                 static_cast<uint64_t>(smccc::kNotSupported));
    ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeSt), kRegion + 64 * index);
  }
}

TEST(PvTimeServiceTest, AVmWithoutARegionIsToldThereIsNoPvTime) {
  auto daemon = StartDaemon({"--providers", "trng,pvtime"});
  ASSERT_NE(daemon, nullptr);
  auto stub = v1::VmmService::NewStub(Connect(daemon->vmm_target()));
  auto vm = AttachedVm::Attach(*stub, TestVm("no-region", 2));
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_THAT((*vm)->attached().plan().stolen_time_records(), IsEmpty());

  auto vcpu = VcpuClient::Open(*stub, (*vm)->session_id(), 1);
  ASSERT_TRUE(vcpu.ok()) << vcpu.status();
  const auto not_supported = static_cast<uint64_t>(smccc::kNotSupported);
  ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeFeatures, {smccc::kPvTimeSt}), not_supported);
  ExpectOnlyX0((*vcpu)->Call(smccc::kPvTimeSt), not_supported);
}

TEST(PvTimeServiceTest, NoRecordsWhenTheDaemonDoesNotServePvTime) {
  auto daemon = StartDaemon({"--providers", "trng"});
  ASSERT_NE(daemon, nullptr);
  auto stub = v1::VmmService::NewStub(Connect(daemon->vmm_target()));
  auto vm = AttachedVm::Attach(*stub, VmWithRegion("pv-vm", 2));
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_THAT((*vm)->attached().plan().stolen_time_records(), IsEmpty());
}

TEST(PvTimeServiceTest, ABadRegionIsRefusedSayingWhatToFix) {
  auto daemon = StartDaemon({"--providers", "trng,pvtime"});
  ASSERT_NE(daemon, nullptr);
  auto stub = v1::VmmService::NewStub(Connect(daemon->vmm_target()));
  v1::VmInfo small = VmWithRegion("small", 4);
  small.mutable_stolen_time()->set_size(200);
  auto refused = AttachedVm::Attach(*stub, small);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("vm.stolen_time has 200 bytes, too few for 4 vCPUs"));
  v1::VmInfo misaligned = VmWithRegion("misaligned", 1);
  misaligned.mutable_stolen_time()->set_guest_phys_addr(kRegion + 32);
  refused = AttachedVm::Attach(*stub, misaligned);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("must be 64-byte aligned"));
  // The daemon still plans the next VM.
  auto vm = AttachedVm::Attach(*stub, VmWithRegion("fine", 1));
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_THAT((*vm)->attached().plan().stolen_time_records(), ElementsAre(kRegion));
}

}  // namespace
}  // namespace hypercall::testing
