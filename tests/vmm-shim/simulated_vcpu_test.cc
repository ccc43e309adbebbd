#include "hypercall/shim/simulated_vcpu.h"

#include "gtest/gtest.h"

namespace hypercall::shim {
namespace {

TEST(SimulatedVcpuTest, IssueSetsFunctionIdArgumentsAndConduit) {
  SimulatedVcpu vcpu;
  vcpu.set_x(4, 0xabcd);
  vcpu.Issue(0xc4000053, {192, 7}, smccc::Conduit::kSmc);
  EXPECT_EQ(vcpu.FunctionId(), 0xc4000053u);
  EXPECT_EQ(vcpu.conduit(), smccc::Conduit::kSmc);
  EXPECT_EQ(vcpu.x(0), 0xc4000053u);
  EXPECT_EQ(vcpu.x(1), 192u);
  EXPECT_EQ(vcpu.x(2), 7u);
  EXPECT_EQ(vcpu.x(4), 0xabcdu) << "registers past the arguments keep their values";
  EXPECT_EQ(vcpu.access_counts().reads + vcpu.access_counts().writes, 0u)
      << "the guest's own register use is not counted";
}

TEST(SimulatedVcpuTest, FunctionIdIsW0) {
  SimulatedVcpu vcpu;
  vcpu.set_x(0, 0xdeadbeef84000050ull);
  EXPECT_EQ(vcpu.FunctionId(), 0x84000050u);
}

TEST(SimulatedVcpuTest, BackendAccessesAreCountedLikeIoctls) {
  SimulatedVcpu vcpu;
  vcpu.Issue(0x84000053, {96});
  EXPECT_EQ(*vcpu.ReadRegister(1), 96u);
  ASSERT_TRUE(vcpu.WriteRegister(0, 0).ok());
  ASSERT_TRUE(vcpu.WriteRegister(3, 0x55).ok());
  EXPECT_EQ(vcpu.x(3), 0x55u);
  EXPECT_EQ(vcpu.access_counts().reads, 1u);
  EXPECT_EQ(vcpu.access_counts().writes, 2u);
}

TEST(SimulatedVcpuTest, RejectsRegistersOutsideX0ToX17) {
  SimulatedVcpu vcpu;
  EXPECT_TRUE(absl::IsInvalidArgument(vcpu.ReadRegister(18).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(vcpu.WriteRegister(-1, 0)));
  EXPECT_EQ(vcpu.access_counts().reads + vcpu.access_counts().writes, 0u);
}

}  // namespace
}  // namespace hypercall::shim
