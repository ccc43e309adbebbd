// One group per role at the socket: nobody, in the observer socket's group
// here, can observe but cannot attach a VM, trying it with the real
// hypercallctl against the real daemon. --socket-group gives the
// systemd unit's role groups; a group the config names wins over it.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "isolation/other_uids.h"
#include "support/daemon_process.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

gid_t GroupOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return info.st_gid;
}

class SocketRolesTest : public OtherUidTest {
 protected:
  void SetUp() override {
    OtherUidTest::SetUp();
    ctl_ = CopyProgram("hypercallctl");
  }

  std::string Socket(std::string_view name) const {
    return wire::SocketPath(daemon_->runtime_dir(), name);
  }

  CommandResult CtlAsObserver(std::vector<std::string> command) {
    std::vector<std::string> argv = {ctl_, "--runtime-dir", daemon_->runtime_dir()};
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCommand(argv, 20000, kNobody);
  }

  std::string ctl_;
};

TEST_F(SocketRolesTest, TheObserverGroupObservesButCannotAttachAVm) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon("version: 1\nprovider { name: \"trng\" builtin {} }\n",
                                      {"--socket-group", "observer=nogroup"}));
  EXPECT_EQ(GroupOf(Socket(wire::kObserverSocketName)), 65534u);
  EXPECT_EQ(GroupOf(Socket(wire::kVmmSocketName)), 0u);
  EXPECT_EQ(GroupOf(Socket(wire::kProviderSocketName)), 0u);

  const CommandResult status = CtlAsObserver({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_THAT(status.out, HasSubstr("hypercalld/"));

  const CommandResult call = CtlAsObserver({"call", "0x84000050"});
  EXPECT_NE(call.exit_code, 0) << call.out;
  EXPECT_THAT(call.err, HasSubstr("permission denied on " + Socket(wire::kVmmSocketName)));
  EXPECT_THAT(daemon_->Log(), ::testing::Not(HasSubstr("attached")));
}

TEST_F(SocketRolesTest, AGroupTheConfigNamesWins) {
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon("version: 1\nsockets { observer { group: \"root\" } }\n",
                  {"--socket-group", "observer=nogroup", "--socket-group", "vmm=nogroup"}));
  EXPECT_EQ(GroupOf(Socket(wire::kObserverSocketName)), 0u);
  EXPECT_EQ(GroupOf(Socket(wire::kVmmSocketName)), 65534u);
  const CommandResult status = CtlAsObserver({"status"});
  EXPECT_NE(status.exit_code, 0);
  EXPECT_THAT(status.err, HasSubstr("permission denied"));
}

TEST_F(SocketRolesTest, AnUnknownGroupStopsStartUpNamingIt) {
  const CommandResult start = RunCommand({BinaryPath("hypercalld"), "--runtime-dir", dir_ + "/run",
                                          "--socket-group", "vmm=hypercall-no-such-group"});
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_THAT(start.err, HasSubstr("hypercall-no-such-group"));
}

}  // namespace
}  // namespace hypercall::testing
