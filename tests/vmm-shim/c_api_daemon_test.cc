// Runs the C-language checks of the shim's C API against the real daemon.
#include "c_api_checks.h"
#include "gtest/gtest.h"
#include "support/daemon_process.h"

namespace {

TEST(CApiDaemonTest, CallsThroughTheDaemon) {
  auto daemon = hypercall::testing::DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(check_calls_through_daemon((*daemon)->runtime_dir().c_str()), nullptr);
}

TEST(CApiDaemonTest, MemoryOperandsThroughTheProbe) {
  auto daemon = hypercall::testing::DaemonProcess::Start({"--providers", "trng,probe"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(check_memory_operands((*daemon)->runtime_dir().c_str()), nullptr);
}

}  // namespace
