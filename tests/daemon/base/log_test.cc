// The log's defences against peers: their strings escaped, their events
// rate-limited.
#include "base/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <string>

#include "base/rate_limited_log.h"
#include "support/fake_clock.h"

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

// What the daemon writes to stderr while `body` runs.
template <typename Body>
std::string CaptureStderr(Body body) {
  FILE* file = tmpfile();
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(file), STDERR_FILENO);
  body();
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
  EXPECT_EQ(out, "<6>session attached: vm=evil\\x0a<3>daemon: forged\n");
}

TEST(RateLimitedLogTest, LetsThroughNPerSecondThenSaysHowManyItSuppressed) {
  testing::FakeClock clock;
  RateLimitedLog log(3, clock);
  std::string out = CaptureStderr([&] {
    for (int i = 0; i < 10; ++i) log.Log(LogLevel::kWarning, "refused %d", i);
  });
  EXPECT_EQ(out, "<4>refused 0\n<4>refused 1\n<4>refused 2\n");
  clock.Advance(absl::Seconds(1));
  out = CaptureStderr([&] { log.Log(LogLevel::kWarning, "refused %d", 10); });
  EXPECT_EQ(out, "<4>refused 10 (7 similar lines suppressed)\n");
  out = CaptureStderr([&] { log.Log(LogLevel::kWarning, "refused %d", 11); });
  EXPECT_EQ(out, "<4>refused 11\n");
}

TEST(RateLimitedLogTest, LinesBelowTheLogLevelCountForNothing) {
  testing::FakeClock clock;
  RateLimitedLog log(1, clock);
  const std::string out = CaptureStderr([&] {
    log.Log(LogLevel::kDebug, "hidden");
    log.Log(LogLevel::kWarning, "shown");
  });
  EXPECT_EQ(out, "<4>shown\n");
}

}  // namespace
}  // namespace hypercall::daemon
