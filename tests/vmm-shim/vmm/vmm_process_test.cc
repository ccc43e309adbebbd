// hypercall-vmm as a user runs it, on any host: help, usage errors, and (off
// arm64) the refusal to run. Booting guests needs arm64 KVM: tests/kvm.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/daemon_process.h"

namespace {

using hypercall::testing::BinaryPath;
using hypercall::testing::RunCommand;
using ::testing::HasSubstr;

TEST(VmmProcessTest, HelpPrintsUsageAndExitsZero) {
  auto run = RunCommand({BinaryPath("hypercall-vmm"), "--help"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Usage: hypercall-vmm [options] --guest FILE"));
  EXPECT_THAT(run.out, HasSubstr("--kernel IMAGE"));
  EXPECT_THAT(run.out, HasSubstr("--stats"));
}

TEST(VmmProcessTest, UsageErrorsExitTwoWithTheReasonAndUsage) {
  auto run = RunCommand({BinaryPath("hypercall-vmm"), "--guest", "g.bin", "--cpus", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("hypercall-vmm: --cpus must be a whole number from 1"));
  EXPECT_THAT(run.err, HasSubstr("Usage: hypercall-vmm"));
  run = RunCommand({BinaryPath("hypercall-vmm")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("give exactly one of --guest FILE and --kernel IMAGE"));
  run = RunCommand({BinaryPath("hypercall-vmm"), "--guest", "g.bin", "--frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("hypercall-vmm: unknown argument '--frobnicate'"));
}

#if !defined(__aarch64__)
TEST(VmmProcessTest, RefusesToRunOffArm64) {
  auto run = RunCommand({BinaryPath("hypercall-vmm"), "--guest", "/nonexistent/g.bin"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("hypercall-vmm: this build is not for arm64"));
}
#endif

}  // namespace
