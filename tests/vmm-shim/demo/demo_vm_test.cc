// hypercall-demo-vm as a user runs it: against the real daemon, without one,
// and with a bad flag.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/daemon_process.h"

namespace {

using hypercall::testing::BinaryPath;
using hypercall::testing::DaemonProcess;
using hypercall::testing::RunCommand;
using ::testing::HasSubstr;

TEST(DemoVmTest, MakesCheckedCallsAndSummarises) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto run =
      RunCommand({BinaryPath("hypercall-demo-vm"), "--runtime-dir", (*daemon)->runtime_dir(),
                  "--vcpus", "3", "--rate", "40", "--duration", "1.5", "--summary-every", "0.5"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("VM 'demo' attached with 3 vCPUs"));
  EXPECT_THAT(run.out, HasSubstr(" 0 wrong"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr(" 0 brokered")));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr(" 0 not-planned")));
  EXPECT_THAT(run.err, ::testing::Not(HasSubstr("WRONG")));
}

TEST(DemoVmTest, WithoutADaemonSaysWhereItLooked) {
  auto run = RunCommand({BinaryPath("hypercall-demo-vm"), "--runtime-dir",
                         "/nonexistent/hypercall-demo-test", "--attach-timeout", "0.2"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/hypercall-demo-test/vmm.sock"));
}

TEST(DemoVmTest, HelpPrintsUsageAndExitsZero) {
  auto run = RunCommand({BinaryPath("hypercall-demo-vm"), "--help"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Usage: hypercall-demo-vm [--runtime-dir DIR]"));
}

TEST(DemoVmTest, BadFlagsAreRefusedWithUsage) {
  auto run = RunCommand({BinaryPath("hypercall-demo-vm"), "--vcpus", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--vcpus must be a number from 1"));
  EXPECT_THAT(run.err, HasSubstr("Usage: hypercall-demo-vm"));
  run = RunCommand({BinaryPath("hypercall-demo-vm"), "--frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown argument '--frobnicate'"));
  run = RunCommand({BinaryPath("hypercall-demo-vm"), "--rate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--rate needs a value"));
}

}  // namespace
