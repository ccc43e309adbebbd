#include "hypercallctl/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hypercallctl/call_command.h"

namespace hypercall::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ParseCommandLineTest, DefaultsMatchTheDaemon) {
  Invocation invocation = ParseCommandLine({"status"});
  ASSERT_TRUE(invocation.usage_error.ok()) << invocation.usage_error;
  EXPECT_EQ(invocation.command, "status");
  EXPECT_EQ(invocation.options.runtime_dir, "/run/hypercalld");
  EXPECT_FALSE(invocation.options.json);
  EXPECT_EQ(invocation.options.timeout_seconds, 5u);
  EXPECT_TRUE(invocation.run);
}

TEST(ParseCommandLineTest, GlobalOptionsBeforeTheCommand) {
  Invocation invocation = ParseCommandLine(
      {"--runtime-dir", "/tmp/x", "--json", "--timeout", "0x10", "call", "TRNG_RND64", "192"});
  ASSERT_TRUE(invocation.usage_error.ok()) << invocation.usage_error;
  EXPECT_EQ(invocation.options.runtime_dir, "/tmp/x");
  EXPECT_TRUE(invocation.options.json);
  EXPECT_EQ(invocation.options.timeout_seconds, 16u);
  EXPECT_EQ(invocation.command, "call");
  EXPECT_TRUE(invocation.run);
}

TEST(ParseCommandLineTest, GlobalOptionsAfterTheCommandAndInlineValues) {
  Invocation invocation =
      ParseCommandLine({"call", "--json", "--runtime-dir=/tmp/y", "--smc", "1"});
  ASSERT_TRUE(invocation.usage_error.ok()) << invocation.usage_error;
  EXPECT_EQ(invocation.options.runtime_dir, "/tmp/y");
  EXPECT_TRUE(invocation.options.json);
  EXPECT_EQ(invocation.command, "call");
}

TEST(ParseCommandLineTest, DoubleDashEndsGlobalOptions) {
  Invocation invocation = ParseCommandLine({"call", "--", "--json"});
  EXPECT_FALSE(invocation.options.json);
  // "--json" reached `call` as its FUNC.
  EXPECT_THAT(std::string(invocation.usage_error.message()), HasSubstr("FUNC: '--json'"));
}

TEST(ParseCommandLineTest, HelpAndVersion) {
  EXPECT_TRUE(ParseCommandLine({"--help"}).help);
  EXPECT_TRUE(ParseCommandLine({"-h"}).help);
  EXPECT_TRUE(ParseCommandLine({"--version"}).version);
  Invocation help = ParseCommandLine({"help", "call"});
  EXPECT_TRUE(help.help);
  EXPECT_EQ(help.command, "call");
  EXPECT_TRUE(ParseCommandLine({"help"}).help);
  // A command's --help needs none of its arguments.
  Invocation command_help = ParseCommandLine({"call", "--help"});
  EXPECT_TRUE(command_help.usage_error.ok()) << command_help.usage_error;
  EXPECT_TRUE(command_help.help);
  EXPECT_EQ(command_help.command, "call");
  EXPECT_EQ(ParseCommandLine({"trace", "-h"}).command, "trace");
}

TEST(ParseCommandLineTest, UsageErrorsNameTheArgument) {
  EXPECT_EQ(ParseCommandLine({"--frob", "status"}).usage_error.message(),
            "unknown argument '--frob'");
  EXPECT_EQ(ParseCommandLine({"--runtime-dir"}).usage_error.message(),
            "--runtime-dir needs a value");
  EXPECT_EQ(ParseCommandLine({"--runtime-dir="}).usage_error.message(),
            "--runtime-dir needs a value");
  EXPECT_EQ(ParseCommandLine({"--runtime-dir", "", "status"}).usage_error.message(),
            "--runtime-dir is empty");
  EXPECT_EQ(ParseCommandLine({"--timeout", "soon", "status"}).usage_error.message(),
            "--timeout: 'soon' is not a number (decimal or 0x-hex)");
  EXPECT_FALSE(ParseCommandLine({"--timeout", "0", "status"}).usage_error.ok());
  EXPECT_EQ(ParseCommandLine({"frobnicate"}).usage_error.message(), "unknown command 'frobnicate'");
  EXPECT_EQ(ParseCommandLine({"--json", "--version=1"}).usage_error.message(),
            "--version takes no value");
}

TEST(ParseCommandLineTest, CommandUsageErrorsNameTheCommand) {
  Invocation extra = ParseCommandLine({"status", "extra"});
  EXPECT_EQ(extra.usage_error.message(), "unknown argument 'extra'");
  EXPECT_EQ(extra.command, "status");
  Invocation bogus = ParseCommandLine({"call", "--bogus", "TRNG_RND64"});
  EXPECT_EQ(bogus.usage_error.message(), "unknown argument '--bogus'");
  EXPECT_EQ(bogus.command, "call");
  EXPECT_EQ(ParseCommandLine({"call", "--vm"}).usage_error.message(), "--vm needs a value");
  EXPECT_EQ(ParseCommandLine({"call", "--smc=1", "TRNG_RND64"}).usage_error.message(),
            "--smc takes no value");
  // One command only.
  EXPECT_EQ(ParseCommandLine({"status", "ranges"}).usage_error.message(),
            "unknown argument 'ranges'");
}

TEST(ParseCallArgsTest, OptionsAnywhereAndNumbersStayArguments) {
  CallRequest request = ParseCallArgs({"TRNG_RND64", "--vm=b", "192", "--smc"}).value();
  EXPECT_EQ(request.vm_name, "b");
  EXPECT_EQ(request.call.conduit, smccc::Conduit::kSmc);
  EXPECT_EQ(request.call.x[1], 192u);
  // "-1" stays an argument so number parsing can explain it.
  EXPECT_THAT(std::string(ParseCallArgs({"TRNG_RND64", "-1"}).status().message()),
              HasSubstr("X1: '-1' is negative"));
  // After "--" everything is an argument.
  EXPECT_THAT(std::string(ParseCallArgs({"TRNG_RND64", "--", "--smc"}).status().message()),
              HasSubstr("X1: '--smc'"));
}

}  // namespace
}  // namespace hypercall::ctl
