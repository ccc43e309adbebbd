#include "hypercallctl/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hypercallctl/command_args.h"

namespace hypercall::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseCommandLineTest, DefaultsMatchTheDaemon) {
  Invocation invocation = ParseCommandLine({"status"}).value();
  EXPECT_EQ(invocation.command, "status");
  EXPECT_EQ(invocation.options.runtime_dir, "/run/hypercalld");
  EXPECT_FALSE(invocation.options.json);
  EXPECT_EQ(invocation.options.timeout_seconds, 5u);
  EXPECT_TRUE(invocation.args.empty());
}

TEST(ParseCommandLineTest, GlobalOptionsBeforeTheCommand) {
  Invocation invocation = ParseCommandLine({"--runtime-dir", "/tmp/x", "--json", "--timeout",
                                            "0x10", "call", "TRNG_RND64", "192"})
                              .value();
  EXPECT_EQ(invocation.options.runtime_dir, "/tmp/x");
  EXPECT_TRUE(invocation.options.json);
  EXPECT_EQ(invocation.options.timeout_seconds, 16u);
  EXPECT_EQ(invocation.command, "call");
  EXPECT_THAT(invocation.args, ElementsAre("TRNG_RND64", "192"));
}

TEST(ParseCommandLineTest, GlobalOptionsAfterTheCommandAndInlineValues) {
  Invocation invocation =
      ParseCommandLine({"call", "--json", "--runtime-dir=/tmp/y", "--smc", "1"}).value();
  EXPECT_EQ(invocation.options.runtime_dir, "/tmp/y");
  EXPECT_TRUE(invocation.options.json);
  // Command options are left to the command.
  EXPECT_THAT(invocation.args, ElementsAre("--smc", "1"));
}

TEST(ParseCommandLineTest, DoubleDashEndsGlobalOptions) {
  Invocation invocation = ParseCommandLine({"call", "--", "--json"}).value();
  EXPECT_FALSE(invocation.options.json);
  EXPECT_THAT(invocation.args, ElementsAre("--", "--json"));
}

TEST(ParseCommandLineTest, HelpAndVersion) {
  EXPECT_TRUE(ParseCommandLine({"--help"}).value().help);
  EXPECT_TRUE(ParseCommandLine({"-h"}).value().help);
  EXPECT_TRUE(ParseCommandLine({"--version"}).value().version);
  Invocation help = ParseCommandLine({"help", "call"}).value();
  EXPECT_TRUE(help.help);
  EXPECT_EQ(help.command, "call");
  Invocation command_help = ParseCommandLine({"trace", "--help"}).value();
  EXPECT_TRUE(command_help.help);
  EXPECT_EQ(command_help.command, "trace");
}

TEST(ParseCommandLineTest, UsageErrorsNameTheOption) {
  EXPECT_EQ(ParseCommandLine({"--frob", "status"}).status().message(), "unknown option '--frob'");
  EXPECT_EQ(ParseCommandLine({"--runtime-dir"}).status().message(), "--runtime-dir needs a value");
  EXPECT_EQ(ParseCommandLine({"--runtime-dir="}).status().message(), "--runtime-dir is empty");
  EXPECT_EQ(ParseCommandLine({"--timeout", "soon", "status"}).status().message(),
            "--timeout: 'soon' is not a number (decimal or 0x-hex)");
  EXPECT_FALSE(ParseCommandLine({"--timeout", "0", "status"}).ok());
}

constexpr OptionSpec kSpecs[] = {{.name = "--vm", .takes_value = true},
                                 {.name = "--smc", .takes_value = false}};

TEST(SplitCommandArgsTest, SeparatesOptionsFromPositionals) {
  CommandArgs args =
      SplitCommandArgs("call", {"--vm", "a", "FUNC", "--smc", "-1", "--", "--vm"}, kSpecs).value();
  EXPECT_EQ(args.options.at("--vm"), "a");
  EXPECT_TRUE(args.Has("--smc"));
  // "-1" stays positional so number parsing can explain it.
  EXPECT_THAT(args.positionals, ElementsAre("FUNC", "-1", "--vm"));
  EXPECT_EQ(SplitCommandArgs("call", {"--vm=b"}, kSpecs).value().options.at("--vm"), "b");
}

TEST(SplitCommandArgsTest, UsageErrors) {
  EXPECT_THAT(std::string(SplitCommandArgs("call", {"--bogus"}, kSpecs).status().message()),
              HasSubstr("call: unknown option '--bogus'"));
  EXPECT_EQ(SplitCommandArgs("call", {"--vm"}, kSpecs).status().message(),
            "call: --vm needs a value");
  EXPECT_EQ(SplitCommandArgs("call", {"--smc=1"}, kSpecs).status().message(),
            "call: option --smc takes no value");
}

}  // namespace
}  // namespace hypercall::ctl
