// The VMM role end to end: the real hypercalld over its real Unix socket,
// driven with the generated gRPC stubs.
#include <gtest/gtest.h>

#include "daemon/vmm_client.h"
#include "smccc/known_calls.h"
#include "smccc/return_codes.h"
#include "support/daemon_process.h"

namespace hypercall::testing {
namespace {

class VmmServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    stub_ = v1::VmmService::NewStub(Connect(daemon_->vmm_target()));
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::VmmService::Stub> stub_;
};

TEST_F(VmmServiceTest, AttachReturnsThePlanAndTrngAnswers) {
  auto vm = AttachedVm::Attach(*stub_, TestVm("vm-a"));
  ASSERT_TRUE(vm.ok()) << vm.status();
  const v1::ForwardingPlan& plan = (*vm)->attached().plan();
  ASSERT_EQ(plan.ranges_size(), 2);
  EXPECT_EQ(plan.ranges(0).first_function_id(), 0x84000050u);
  EXPECT_EQ(plan.ranges(0).count(), 16u);
  EXPECT_EQ(plan.ranges(0).args_read_mask(), 0x2u);
  EXPECT_EQ(plan.ranges(0).provider(), "trng");
  EXPECT_EQ(plan.ranges(1).first_function_id(), 0xc4000050u);
  EXPECT_FALSE((*vm)->session_id().empty());
  EXPECT_EQ((*vm)->attached().hello().protocol_version(), 1u);

  auto vcpu = VcpuClient::Open(*stub_, (*vm)->session_id(), 0);
  ASSERT_TRUE(vcpu.ok()) << vcpu.status();
  auto version = (*vcpu)->Call(smccc::kTrngVersion);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(Reg(*version, 0), 0x10000u);

  auto rnd = (*vcpu)->Call(smccc::kTrngRnd64, {192});
  ASSERT_TRUE(rnd.ok()) << rnd.status();
  EXPECT_EQ(Reg(*rnd, 0), 0u);
  EXPECT_EQ(rnd->written_mask() & 0xf, 0xfu);

  auto unowned = (*vcpu)->Call(0xc6000040);
  ASSERT_TRUE(unowned.ok()) << unowned.status();
  EXPECT_EQ(Reg(*unowned, 0), static_cast<uint64_t>(smccc::kNotSupported));
  // SMC32 IDs answer with w-register semantics.
  auto unowned32 = (*vcpu)->Call(0x86000000);
  ASSERT_TRUE(unowned32.ok()) << unowned32.status();
  EXPECT_EQ(Reg(*unowned32, 0), 0xffffffffu);
}

}  // namespace
}  // namespace hypercall::testing
