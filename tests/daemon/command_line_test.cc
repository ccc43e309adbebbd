#include "command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

TEST(CommandLineTest, DefaultsWithoutFlags) {
  auto line = ParseCommandLine({});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/run/hypercalld");
  EXPECT_EQ(line->log_level, LogLevel::kInfo);
  EXPECT_FALSE(line->show_help || line->show_version);
}

TEST(CommandLineTest, ValuesAsNextArgumentOrAfterEquals) {
  auto line = ParseCommandLine({"--runtime-dir", "/tmp/x", "--log-level=debug"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/tmp/x");
  EXPECT_EQ(line->log_level, LogLevel::kDebug);
  line = ParseCommandLine({"--runtime-dir=/tmp/y", "--log-level", "error", "--version"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/tmp/y");
  EXPECT_EQ(line->log_level, LogLevel::kError);
  EXPECT_TRUE(line->show_version);
}

TEST(CommandLineTest, RefusesWhatItDoesNotKnow) {
  EXPECT_THAT(ParseCommandLine({"--bogus"}).status().message(), HasSubstr("'--bogus'"));
  EXPECT_THAT(ParseCommandLine({"stray"}).status().message(), HasSubstr("'stray'"));
  EXPECT_THAT(ParseCommandLine({"--runtime-dir"}).status().message(), HasSubstr("needs a value"));
  EXPECT_THAT(ParseCommandLine({"--log-level", "loud"}).status().message(),
              HasSubstr("debug, info, warning or error"));
  EXPECT_FALSE(ParseCommandLine({"--runtime-dir="}).ok());
}

}  // namespace
}  // namespace hypercall::daemon
