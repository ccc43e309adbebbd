#include "hypercall/shim/kvm_arm64_vcpu.h"

#include <cerrno>

#include "fake_kvm.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/shim/kvm_arm64_uapi.h"

namespace hypercall::shim {
namespace {

using testing::FakeKvm;
using testing::FakeRunPage;
using ::testing::HasSubstr;

constexpr int kVcpuFd = 7;

TEST(KvmArm64VcpuTest, FunctionIdAndConduitComeFromKvmRun) {
  FakeKvm kernel;
  FakeRunPage smc(0xc4000053, kvm::kHypercallExitSmc);
  KvmArm64Vcpu on_smc(kVcpuFd, smc.bytes, kernel);
  EXPECT_EQ(on_smc.FunctionId(), 0xc4000053u);
  EXPECT_EQ(on_smc.conduit(), smccc::Conduit::kSmc);

  FakeRunPage hvc(0x84000050, 0);
  KvmArm64Vcpu on_hvc(kVcpuFd, hvc.bytes, kernel);
  EXPECT_EQ(on_hvc.FunctionId(), 0x84000050u);
  EXPECT_EQ(on_hvc.conduit(), smccc::Conduit::kHvc);
  // Neither needed an ioctl.
  EXPECT_TRUE(kernel.requests.empty());
}

TEST(KvmArm64VcpuTest, ReadRegisterIsOneGetOneRegWithTheCoreRegisterId) {
  FakeKvm kernel;
  kernel.registers[0x6030000000100000ull + 2 * 5] = 0x1122334455667788;
  FakeRunPage run(0xc4000053, 0);
  KvmArm64Vcpu vcpu(kVcpuFd, run.bytes, kernel);
  absl::StatusOr<uint64_t> x5 = vcpu.ReadRegister(5);
  ASSERT_TRUE(x5.ok()) << x5.status();
  EXPECT_EQ(*x5, 0x1122334455667788u);
  ASSERT_EQ(kernel.requests.size(), 1u);
  EXPECT_EQ(kernel.requests[0].fd, kVcpuFd);
  EXPECT_EQ(kernel.requests[0].request, 0x4010aeabul);  // KVM_GET_ONE_REG
  EXPECT_EQ(kernel.requests[0].reg_id, 0x603000000010000aull);
  EXPECT_EQ(vcpu.access_counts().reads, 1u);
  EXPECT_EQ(vcpu.access_counts().writes, 0u);
}

TEST(KvmArm64VcpuTest, WriteRegisterIsOneSetOneRegCarryingTheValue) {
  FakeKvm kernel;
  FakeRunPage run(0xc4000053, 0);
  KvmArm64Vcpu vcpu(kVcpuFd, run.bytes, kernel);
  ASSERT_TRUE(vcpu.WriteRegister(17, 0xfeedface).ok());
  ASSERT_EQ(kernel.requests.size(), 1u);
  EXPECT_EQ(kernel.requests[0].request, 0x4010aeacul);  // KVM_SET_ONE_REG
  EXPECT_EQ(kernel.requests[0].reg_id, 0x6030000000100022ull);
  EXPECT_EQ(kernel.requests[0].value, 0xfeedfaceu);
  EXPECT_EQ(vcpu.access_counts().writes, 1u);
}

TEST(KvmArm64VcpuTest, IoctlFailuresNameTheIoctlRegisterAndErrno) {
  FakeKvm kernel;
  kernel.FailAll(kvm::kGetOneReg, EFAULT);
  kernel.FailAll(kvm::kSetOneReg, EBADF);
  FakeRunPage run(0xc4000053, 0);
  KvmArm64Vcpu vcpu(kVcpuFd, run.bytes, kernel);
  absl::StatusOr<uint64_t> read = vcpu.ReadRegister(3);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("KVM_GET_ONE_REG(x3) failed: Bad address"));
  absl::Status write = vcpu.WriteRegister(0, 1);
  EXPECT_THAT(write.message(), HasSubstr("KVM_SET_ONE_REG(x0) failed: Bad file descriptor"));
  // Failed ioctls still cost an exit's worth: they are counted.
  EXPECT_EQ(vcpu.access_counts().reads, 1u);
  EXPECT_EQ(vcpu.access_counts().writes, 1u);
}

TEST(KvmArm64VcpuTest, IndexesOutsideX0ToX17NeverReachTheKernel) {
  FakeKvm kernel;
  FakeRunPage run(0xc4000053, 0);
  KvmArm64Vcpu vcpu(kVcpuFd, run.bytes, kernel);
  EXPECT_TRUE(absl::IsInvalidArgument(vcpu.ReadRegister(18).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(vcpu.WriteRegister(-1, 0)));
  EXPECT_TRUE(kernel.requests.empty());
  EXPECT_EQ(vcpu.access_counts().reads + vcpu.access_counts().writes, 0u);
}

}  // namespace
}  // namespace hypercall::shim
