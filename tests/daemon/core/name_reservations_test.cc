// The held-names file and the reservations made from it after a restart:
// the file round-trips, is written whole with mode 0600, and is read as
// untrusted input (bad lines skipped with a reason, files that are not ours
// refused); a name is kept for the same pid, uid and start time until it is
// attached or the grace period ends; entries of gone processes are dropped.
#include "core/name_reservations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/process_info.h"
#include "core/held_names.h"
#include "support/fake_clock.h"

namespace hypercall::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MATCHER_P4(IsHeld, name, pid, uid, start_time, "") {
  return arg.name == name && arg.pid == pid && arg.uid == uid && arg.start_time == start_time;
}

class HeldNamesFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercall-held-names-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/held-vm-names";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteText(const std::string& text) { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
};

TEST(HeldNamesTest, TheFileTextRoundTrips) {
  const std::vector<HeldName> names = {{"vm-1", 100, 3001, 5555}, {"tenant-a.2", 7, 0, 1}};
  const ParsedHeldNames parsed = ParseHeldNames(FormatHeldNames(names));
  EXPECT_THAT(parsed.names,
              ElementsAre(IsHeld("vm-1", 100, 3001u, 5555u), IsHeld("tenant-a.2", 7, 0u, 1u)));
  EXPECT_THAT(parsed.skipped, IsEmpty());
}

TEST(HeldNamesTest, BadLinesAreSkippedWithTheirReason) {
  const ParsedHeldNames parsed = ParseHeldNames(
      "# comment\n"
      "\n"
      "good 1 2 3\n"
      "two fields\n"
      "bad/name 1 2 3\n"
      "neg -1 2 3\n"
      "zero 0 2 3\n"
      "notime 1 2 0\n"
      "big 1 4294967296 3\n"
      "huge 99999999999 2 3\n"
      "good 4 5 6\n"
      "   spaced\t9  10 11  \n"
      "\x01\xff garbage 1 2\n");
  EXPECT_THAT(parsed.names, ElementsAre(IsHeld("good", 1, 2u, 3u), IsHeld("spaced", 9, 10u, 11u)));
  EXPECT_THAT(parsed.skipped,
              ElementsAre("line 4: not NAME PID UID START_TIME", "line 5: not a VM name",
                          "line 6: PID, UID or START_TIME is not a number in range",
                          "line 7: PID, UID or START_TIME is not a number in range",
                          "line 8: PID, UID or START_TIME is not a number in range",
                          "line 9: PID, UID or START_TIME is not a number in range",
                          "line 10: PID, UID or START_TIME is not a number in range",
                          "line 11: VM 'good' is listed twice", "line 13: not a VM name"));
}

TEST(HeldNamesTest, AtMostTheMostSessionsThereCanBeAreKept) {
  std::string text;
  for (size_t i = 0; i <= kMaxHeldNames; ++i) text += "vm-" + std::to_string(i) + " 1 1 1\n";
  const ParsedHeldNames parsed = ParseHeldNames(text);
  EXPECT_EQ(parsed.names.size(), kMaxHeldNames);
  EXPECT_THAT(parsed.skipped, ElementsAre(HasSubstr("more than 65536 names")));
}

TEST_F(HeldNamesFileTest, IsWrittenWholeWithMode0600AndReadBack) {
  ASSERT_TRUE(WriteHeldNamesFile(path_, {{"vm-1", 100, 3001, 5555}}).ok());
  ASSERT_TRUE(WriteHeldNamesFile(path_, {{"vm-2", 101, 3002, 6666}}).ok());
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  absl::StatusOr<std::string> text = ReadHeldNamesFile(path_);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(ParseHeldNames(*text).names, ElementsAre(IsHeld("vm-2", 101, 3002u, 6666u)));
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(HeldNamesFileTest, WritingIntoAMissingDirectoryFailsSayingWhere) {
  absl::Status status = WriteHeldNamesFile(dir_ + "/gone/held-vm-names", {});
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir_ + "/gone/held-vm-names"));
}

TEST_F(HeldNamesFileTest, OnlyARegularFileOfOurOwnIsRead) {
  EXPECT_TRUE(absl::IsNotFound(ReadHeldNamesFile(path_).status()));
  ASSERT_EQ(symlink("/etc/passwd", path_.c_str()), 0);
  EXPECT_FALSE(ReadHeldNamesFile(path_).ok());
  std::filesystem::remove(path_);
  ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
  EXPECT_EQ(ReadHeldNamesFile(path_).status().code(), absl::StatusCode::kFailedPrecondition);
  std::filesystem::remove(path_);
  if (geteuid() == 0) {
    WriteText("vm-1 1 1 1\n");
    ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
    absl::StatusOr<std::string> foreign = ReadHeldNamesFile(path_);
    EXPECT_EQ(foreign.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(foreign.status().message(), HasSubstr("not a regular file of uid 0"));
  }
}

TEST_F(HeldNamesFileTest, LoadingKeepsOnlyProcessesThatStillRun) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  const uint64_t mine = base::ProcessStartTime(getpid()).value();
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  WriteText(FormatHeldNames({{"alive", getpid(), getuid(), mine},
                             {"recycled", getpid(), getuid(), mine + 1},
                             {"gone", child, getuid(), mine}}) +
            "junk\n");
  EXPECT_THAT(LoadHeldNames(path_), ElementsAre(IsHeld("alive", getpid(), getuid(), mine)));
  EXPECT_THAT(LoadHeldNames(dir_ + "/none"), IsEmpty());
}

class NameReservationsTest : public ::testing::Test {
 protected:
  const base::PeerCredentials holder_{.pid = 100, .uid = 3001, .gid = 3001, .start_time = 5555};
  testing::FakeClock clock_;
  NameReservations reservations_{{{"vm-1", 100, 3001, 5555}, {"vm-2", 100, 3001, 5555}},
                                 clock_.Now() + absl::Seconds(30),
                                 clock_};
};

TEST_F(NameReservationsTest, OnlyTheHolderMayAttachAReservedName) {
  EXPECT_TRUE(reservations_.Check("vm-1", holder_).ok());
  EXPECT_TRUE(reservations_.Check("other", std::nullopt).ok());
  base::PeerCredentials other_uid = holder_;
  other_uid.uid = 65534;
  base::PeerCredentials recycled_pid = holder_;
  recycled_pid.start_time = 5556;
  base::PeerCredentials other_pid = holder_;
  other_pid.pid = 101;
  clock_.Advance(absl::Milliseconds(10500));
  for (const std::optional<base::PeerCredentials>& intruder :
       {std::optional(other_uid), std::optional(recycled_pid), std::optional(other_pid),
        std::optional<base::PeerCredentials>()}) {
    absl::Status refused = reservations_.Check("vm-1", intruder);
    EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(refused.message(),
                HasSubstr("VM 'vm-1' is reserved for its VMM (pid 100) until it re-attaches (up "
                          "to 20s)"));
  }
}

TEST_F(NameReservationsTest, AnAttachedNameIsNoLongerReserved) {
  reservations_.Release("vm-1");
  EXPECT_TRUE(reservations_.Check("vm-1", std::nullopt).ok());
  EXPECT_FALSE(reservations_.Check("vm-2", std::nullopt).ok());
  EXPECT_THAT(reservations_.Pending(), ElementsAre(IsHeld("vm-2", 100, 3001u, 5555u)));
}

TEST_F(NameReservationsTest, AfterTheGracePeriodEveryNameIsFree) {
  clock_.Advance(absl::Seconds(30));
  EXPECT_TRUE(reservations_.Check("vm-1", std::nullopt).ok());
  EXPECT_THAT(reservations_.Pending(), IsEmpty());
  EXPECT_TRUE(NameReservations().Check("vm-1", std::nullopt).ok());
}

}  // namespace
}  // namespace hypercall::core
