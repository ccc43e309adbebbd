// The log's defences against peers: their strings escaped, their events
// rate-limited; its format: syslog priority prefixes only for the journal,
// one line per event.
#include "base/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/rate_limited_log.h"
#include "support/fake_clock.h"

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

// What the daemon writes to stderr while `body` runs. `journal`: with
// JOURNAL_STREAM naming the capture file, as systemd names the journal's
// stream for a service.
template <typename Body>
std::string CaptureStderr(Body body, bool journal = false) {
  FILE* file = tmpfile();
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(file), STDERR_FILENO);
  struct stat st {};
  fstat(fileno(file), &st);
  if (journal) {
    setenv("JOURNAL_STREAM", absl::StrFormat("%d:%d", st.st_dev, st.st_ino).c_str(), 1);
  }
  body();
  unsetenv("JOURNAL_STREAM");
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string out;
  rewind(file);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), file)) > 0) out.append(buffer, n);
  fclose(file);
  return out;
}

TEST(EscapedTest, KeepsPrintableTextAndEscapesEverythingElse) {
  EXPECT_EQ(Escaped("tenant-a vm_1 (x86)"), "tenant-a vm_1 (x86)");
  EXPECT_EQ(Escaped("a\nb"), "a\\x0ab");
  EXPECT_EQ(Escaped("\r\t\x1b[31m"), "\\x0d\\x09\\x1b[31m");
  EXPECT_EQ(Escaped("back\\slash"), "back\\x5cslash");
  EXPECT_EQ(Escaped("\xc3\xa9"), "\\xc3\\xa9");
  EXPECT_EQ(Escaped(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(EscapedTest, APeerNameCannotForgeALine) {
  const std::string out = CaptureStderr(
      [] { Log(LogLevel::kInfo, "session attached: vm=%s", Escaped("evil\n<3>daemon: forged")); });
  EXPECT_EQ(out, "session attached: vm=evil\\x0a<3>daemon: forged\n");
}

TEST(LogFormatTest, PriorityPrefixesOnlyWhenStderrIsTheJournal) {
  auto lines = [] {
    Log(LogLevel::kError, "e %d", 1);
    Log(LogLevel::kWarning, "w");
    Log(LogLevel::kInfo, "i");
  };
  EXPECT_EQ(CaptureStderr(lines, /*journal=*/true), "<3>e 1\n<4>w\n<6>i\n");
  EXPECT_EQ(CaptureStderr(lines), "error: e 1\nwarning: w\ni\n");
  // JOURNAL_STREAM naming another file (stderr redirected since): plain.
  setenv("JOURNAL_STREAM", "1:1", 1);
  EXPECT_FALSE(StderrIsJournal());
  setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(StderrIsJournal());
  unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(CaptureStderr(lines), "error: e 1\nwarning: w\ni\n");
}

TEST(LogFormatTest, EveryEventIsOneLine) {
  const std::string out = CaptureStderr(
      [] {
        Log(LogLevel::kError, "keeping the running config:\n%s\n", "line 3: bad\nline 4: worse");
        Log(LogLevel::kInfo, "tab\tand \r bell\a");
      },
      /*journal=*/true);
  EXPECT_EQ(out,
            "<3>keeping the running config:\\nline 3: bad\\nline 4: worse\n"
            "<6>tab\tand \\x0d bell\\x07\n");
}

TEST(RateLimitedLogTest, LetsThroughNPerSecondThenSaysHowManyItSuppressed) {
  testing::FakeClock clock;
  RateLimitedLog log(3, clock);
  std::string out = CaptureStderr([&] {
    for (int i = 0; i < 10; ++i) log.Log(LogLevel::kWarning, "refused %d", i);
  });
  EXPECT_EQ(out, "warning: refused 0\nwarning: refused 1\nwarning: refused 2\n");
  clock.Advance(absl::Seconds(1));
  out = CaptureStderr([&] { log.Log(LogLevel::kWarning, "refused %d", 10); });
  EXPECT_EQ(out, "warning: refused 10 (7 similar lines suppressed)\n");
  out = CaptureStderr([&] { log.Log(LogLevel::kWarning, "refused %d", 11); });
  EXPECT_EQ(out, "warning: refused 11\n");
}

TEST(RateLimitedLogTest, LinesBelowTheLogLevelCountForNothing) {
  testing::FakeClock clock;
  RateLimitedLog log(1, clock);
  const std::string out = CaptureStderr([&] {
    log.Log(LogLevel::kDebug, "hidden");
    log.Log(LogLevel::kWarning, "shown");
  });
  EXPECT_EQ(out, "warning: shown\n");
}

}  // namespace
}  // namespace hypercall::daemon
