// VM rules bound to the VMM's identity, attacked over the real sockets: the
// config lets only uid 3001 attach VMs "tenant-a-*", and only processes of
// the system unit qemu-tenant-u.service attach "tenant-u-*". Another uid
// (and root, which the rule does not name) is refused naming the rule and
// the peer; a cgroup named like the unit below another unit does not pass.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "isolation/other_uids.h"
#include "support/daemon_process.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

constexpr RunAs kTenantA = {3001, 3001};

// Where the unified cgroup hierarchy is mounted, or "".
std::string UnifiedCgroupMount() {
  std::ifstream mounts("/proc/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() > 2 && fields[2] == "cgroup2") return fields[1];
  }
  return "";
}

class VmBindingTest : public OtherUidTest {
 protected:
  void SetUp() override {
    OtherUidTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        StartDaemon("version: 1\n"
                    "provider { name: \"trng\" builtin {} }\n"
                    "vm { name: \"tenant-a-*\" provider: \"trng\" allow_uid: 3001 }\n"
                    "vm { name: \"tenant-u-*\" provider: \"trng\"\n"
                    "     allow_unit: \"qemu-tenant-u.service\" }\n"
                    "vm { name: \"*\" provider: \"trng\" }\n"
                    "sockets { vmm { mode: 0666 } }\n"));
    peer_ = CopyProgram("hypercall-test-peer");
  }

  void TearDown() override {
    for (const std::string& cgroup : cgroups_) rmdir(cgroup.c_str());
    OtherUidTest::TearDown();
  }

  // What the peer says of attaching `name`, run as `as`.
  std::string Attach(const std::string& name, std::optional<RunAs> as) {
    const CommandResult run =
        RunCommand({peer_, "attach", daemon_->runtime_dir(), name}, 20000, as);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run.out;
  }

  // The same, run by root from inside cgroup `path` (below the unified
  // hierarchy's mount), made for the test.
  std::string AttachFromCgroup(const std::string& name, const std::string& mount,
                               const std::string& path) {
    std::string cgroup = mount;
    for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
      cgroup += "/" + std::string(part);
      if (mkdir(cgroup.c_str(), 0755) == 0) cgroups_.insert(cgroups_.begin(), cgroup);
    }
    const CommandResult run = RunCommand({"/bin/sh", "-c",
                                          "echo $$ > " + cgroup + "/cgroup.procs && exec " + peer_ +
                                              " attach " + daemon_->runtime_dir() + " " + name});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run.out;
  }

  std::string peer_;
  // Made by the test, innermost first.
  std::vector<std::string> cgroups_;
};

TEST_F(VmBindingTest, AnotherUidCannotAttachATenantsVm) {
  EXPECT_EQ(Attach("tenant-a-1", kNobody),
            "tenant-a-1: refused PERMISSION_DENIED: VM 'tenant-a-1' may not be attached by uid "
            "65534 (gid 65534, in no unit): the rule for 'tenant-a-*' allows uid 3001\n");
  // The rule binds the name to the uid, whoever else asks.
  EXPECT_THAT(Attach("tenant-a-1", std::nullopt),
              HasSubstr("refused PERMISSION_DENIED: VM 'tenant-a-1' may not be attached by uid 0"));
  EXPECT_EQ(Attach("tenant-a-1", kTenantA), "tenant-a-1: attached\n");
  // A VM no identity rule decides is anyone's.
  EXPECT_EQ(Attach("scratch", kNobody), "scratch: attached\n");
}

TEST_F(VmBindingTest, OnlyAProcessOfTheUnitAttachesAVmBoundToIt) {
  const std::string mount = UnifiedCgroupMount();
  if (mount.empty() || access((mount + "/cgroup.procs").c_str(), W_OK) != 0) {
    GTEST_SKIP() << "needs a writable unified cgroup hierarchy to run a process in a unit";
  }
  const std::string slice = "hypercall-test-" + std::to_string(getpid()) + ".slice";
  EXPECT_THAT(Attach("tenant-u-1", std::nullopt),
              HasSubstr("the rule for 'tenant-u-*' allows unit qemu-tenant-u.service"));
  // A unit of another name, with a cgroup of the bound unit's name below it
  // (as a unit with Delegate=yes may make): still the other unit.
  EXPECT_THAT(AttachFromCgroup("tenant-u-1", mount, slice + "/other.service/qemu-tenant-u.service"),
              HasSubstr("tenant-u-1: refused PERMISSION_DENIED: VM 'tenant-u-1' may not be "
                        "attached by uid 0 (gid 0, unit other.service)"));
  EXPECT_EQ(AttachFromCgroup("tenant-u-1", mount, slice + "/qemu-tenant-u.service"),
            "tenant-u-1: attached\n");
}

}  // namespace
}  // namespace hypercall::testing
