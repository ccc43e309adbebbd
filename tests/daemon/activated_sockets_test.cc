// The sockets systemd passes, checked before the daemon serves them: only
// listening AF_UNIX stream sockets, one per known role name.
#include "activated_sockets.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

class ActivatedSocketsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (int fd : fds_) close(fd);
  }

  int Keep(int fd) {
    EXPECT_GE(fd, 0);
    fds_.push_back(fd);
    return fd;
  }

  // A listening AF_UNIX stream socket in the abstract namespace.
  int Listening() {
    const int fd = Keep(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(sa_family_t)), 0);
    EXPECT_EQ(listen(fd, 8), 0);
    return fd;
  }

  std::string Refusal(const std::vector<PassedSocket>& passed) {
    absl::StatusOr<ActivatedSockets> sockets = CheckActivatedSockets(passed);
    EXPECT_FALSE(sockets.ok());
    return std::string(sockets.status().message());
  }

  std::vector<int> fds_;
};

TEST_F(ActivatedSocketsTest, TakesEachRoleAndMakesItCloseOnExecAndNonBlocking) {
  const int vmm = Listening();
  const int provider = Listening();
  const int observer = Listening();
  absl::StatusOr<ActivatedSockets> sockets =
      CheckActivatedSockets({{vmm, "vmm"}, {provider, "provider"}, {observer, "observer"}});
  ASSERT_TRUE(sockets.ok()) << sockets.status();
  EXPECT_EQ(*sockets,
            (ActivatedSockets{{"vmm", vmm}, {"provider", provider}, {"observer", observer}}));
  for (int fd : {vmm, provider, observer}) {
    EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_NE(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  }
  EXPECT_TRUE(CheckActivatedSockets({})->empty());
}

TEST_F(ActivatedSocketsTest, RefusesNamesItDoesNotKnowAndRolesTwice) {
  const int fd = Listening();
  EXPECT_THAT(Refusal({{fd, "unknown"}}),
              HasSubstr("named \"unknown\": not a socket name hypercalld knows "
                        "(FileDescriptorName= must be one of vmm, provider, observer)"));
  EXPECT_THAT(Refusal({{fd, "vmm"}, {Listening(), "vmm"}}),
              HasSubstr("a second socket for that role"));
}

TEST_F(ActivatedSocketsTest, RefusesWhatIsNotAListeningUnixStreamSocket) {
  EXPECT_THAT(Refusal({{Keep(open("/dev/null", O_RDONLY)), "vmm"}}), HasSubstr("not a socket"));
  EXPECT_THAT(Refusal({{Keep(socket(AF_INET, SOCK_STREAM, 0)), "vmm"}}),
              HasSubstr("not an AF_UNIX socket"));
  EXPECT_THAT(Refusal({{Keep(socket(AF_UNIX, SOCK_DGRAM, 0)), "vmm"}}),
              HasSubstr("not a stream socket"));
  EXPECT_THAT(Refusal({{Keep(socket(AF_UNIX, SOCK_STREAM, 0)), "observer"}}),
              HasSubstr("it is not listening (use Accept=no)"));
  EXPECT_THAT(Refusal({{999, "provider"}}), HasSubstr("descriptor 999 named \"provider\": it is "
                                                      "not an open descriptor"));
}

// systemd's environment, as sd_listen_fds_with_names reads it, meant for
// another process: not taken.
TEST_F(ActivatedSocketsTest, IgnoresSocketsPassedToAnotherPid) {
  setenv("LISTEN_FDS", "1", 1);
  setenv("LISTEN_PID", std::to_string(getpid() + 1).c_str(), 1);
  setenv("LISTEN_FDNAMES", "vmm", 1);
  absl::StatusOr<ActivatedSockets> sockets = TakeActivatedSockets();
  ASSERT_TRUE(sockets.ok()) << sockets.status();
  EXPECT_TRUE(sockets->empty());
  EXPECT_EQ(getenv("LISTEN_FDS"), nullptr);
}

}  // namespace
}  // namespace hypercall::daemon
