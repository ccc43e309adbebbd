#include "cmdline/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::cmdline {
namespace {

using ::testing::ElementsAre;

// A program with one option, one flag and positional arguments.
struct Program {
  Program() {
    Configure(app);
    app.add_option("--dir", dir);
    app.add_flag("--stats", stats);
    app.add_option("ARGS", positionals);
  }

  absl::Status Parse(const std::vector<std::string>& args) { return cmdline::Parse(app, args); }

  CLI::App app;
  std::string dir;
  bool stats = false;
  std::vector<std::string> positionals;
};

TEST(ParseTest, ValuesAsNextArgumentOrAfterEqualsAndTheLastWins) {
  Program program;
  ASSERT_TRUE(program.Parse({"--dir", "/a", "x", "--stats", "--dir=/b"}).ok());
  EXPECT_EQ(program.dir, "/b");
  EXPECT_TRUE(program.stats);
  EXPECT_THAT(program.positionals, ElementsAre("x"));
}

TEST(ParseTest, NegativeNumbersAndEverythingAfterDoubleDashArePositional) {
  Program program;
  ASSERT_TRUE(program.Parse({"-1", "--", "--stats"}).ok());
  EXPECT_FALSE(program.stats);
  EXPECT_THAT(program.positionals, ElementsAre("-1", "--stats"));
}

TEST(ParseTest, UsageErrorsAreWordedAlike) {
  EXPECT_EQ(Program().Parse({"--bogus", "x"}).message(), "unknown argument '--bogus'");
  EXPECT_EQ(Program().Parse({"-q"}).message(), "unknown argument '-q'");
  EXPECT_EQ(Program().Parse({"--dir"}).message(), "--dir needs a value");
  EXPECT_EQ(Program().Parse({"--dir="}).message(), "--dir needs a value");
  EXPECT_EQ(Program().Parse({"--stats=1"}).message(), "--stats takes no value");
  EXPECT_TRUE(absl::IsInvalidArgument(Program().Parse({"--bogus"})));
}

TEST(ParseTest, HelpIsTheProgramsOwn) {
  CLI::App app;
  Configure(app);
  bool help = false;
  app.add_flag("--help,-h", help);
  ASSERT_TRUE(Parse(app, {"-h"}).ok());
  EXPECT_TRUE(help);
}

TEST(WholeNumberTest, DecimalWithinTheRange) {
  EXPECT_EQ(WholeNumber("--n", "12", 1, 12).value(), 12u);
  for (const char* bad : {"0", "13", "", "1x", "-1", "0x5"}) {
    EXPECT_EQ(WholeNumber("--n", bad, 1, 12).status().message(),
              std::string("--n must be a whole number from 1 to 12 (got '") + bad + "')");
  }
}

}  // namespace
}  // namespace hypercall::cmdline
