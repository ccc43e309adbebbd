// What /proc says of a peer: its system unit, read the way systemd names a
// process's unit (so a cgroup a process makes under a delegated subtree does
// not pass for a unit), and its start time, counted past a command name with
// spaces and parentheses in it.
#include "base/process_info.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hypercall::base {
namespace {

TEST(UnitFromCgroupTest, IsTheFirstUnitBelowTheSlicesOfTheUnifiedLine) {
  EXPECT_EQ(UnitFromCgroup("0::/system.slice/qemu-tenant-a.service\n"), "qemu-tenant-a.service");
  EXPECT_EQ(UnitFromCgroup("0::/machine.slice/vm-1.scope\n"), "vm-1.scope");
  // A cgroup v1 hierarchy's lines come first on a hybrid host.
  EXPECT_EQ(UnitFromCgroup("12:pids:/system.slice/other.service\n1:name=systemd:/x.service\n"
                           "0::/system.slice/qemu-a.service\n"),
            "qemu-a.service");
  // A unit with Delegate=yes may make cgroups of any name below its own.
  EXPECT_EQ(UnitFromCgroup("0::/system.slice/qemu-a.service/payload/evil.service\n"),
            "qemu-a.service");
  EXPECT_EQ(UnitFromCgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
                           "qemu-tenant-a.service\n"),
            "user@1000.service");
  // systemd escapes a cgroup name starting with '_'.
  EXPECT_EQ(UnitFromCgroup("0::/system.slice/__odd.service\n"), "_odd.service");
}

TEST(UnitFromCgroupTest, IsEmptyWhenTheProcessRunsInNoUnit) {
  EXPECT_EQ(UnitFromCgroup(""), "");
  EXPECT_EQ(UnitFromCgroup("0::/\n"), "");
  EXPECT_EQ(UnitFromCgroup("0::/system.slice\n"), "");
  EXPECT_EQ(UnitFromCgroup("0::/docker/0123abcd/qemu.service\n"), "");
  EXPECT_EQ(UnitFromCgroup("4:memory:/system.slice/qemu-a.service\n"), "");
  EXPECT_EQ(UnitFromCgroup("garbage"), "");
}

TEST(StartTimeFromStatTest, IsField22CountedAfterTheCommandName) {
  EXPECT_EQ(StartTimeFromStat("1234 (qemu) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 3 0 "
                              "987654 12345678 900 18446744073709551615\n"),
            987654u);
  // The command name is the process's to choose.
  EXPECT_EQ(StartTimeFromStat("77 (a) b (c) ) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 1 1\n"),
            42u);
  EXPECT_EQ(StartTimeFromStat("1 (init) S 1 1"), std::nullopt);
  EXPECT_EQ(StartTimeFromStat("no parenthesis here"), std::nullopt);
  EXPECT_EQ(StartTimeFromStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 notanumber 1\n"),
            std::nullopt);
}

TEST(ProcessInfoTest, AProcessHasAStartTimeUntilItIsGone) {
  const std::optional<uint64_t> mine = ProcessStartTime(getpid());
  ASSERT_TRUE(mine.has_value());
  EXPECT_GT(*mine, 0u);
  EXPECT_EQ(ProcessStartTime(getpid()), mine);
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_EQ(ProcessStartTime(child), std::nullopt);
  EXPECT_EQ(ProcessUnit(child), "");
}

}  // namespace
}  // namespace hypercall::base
