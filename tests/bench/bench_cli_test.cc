// hypercall-bench's command line, run as a process: --help prints the usage
// and exits 0, a bad argument exits 2 saying what is wrong, before anything
// is measured.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/daemon_process.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

CommandResult Bench(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath("hypercall-bench"));
  return RunCommand(args);
}

TEST(BenchCliTest, HelpPrintsUsageAndExitsZero) {
  const CommandResult help = Bench({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("Usage: hypercall-bench [--calls N]"));
}

TEST(BenchCliTest, BadArgumentsExitTwoSayingWhy) {
  const std::pair<std::vector<std::string>, std::string> refusals[] = {
      {{"--frobnicate"}, "unknown argument '--frobnicate'"},
      {{"--calls"}, "--calls needs a value"},
      {{"--calls", "0"}, "--calls must be a whole number from 1 to 10000000 (got '0')"},
      {{"--placement", "both2"}, "--placement must be both, same or split (got 'both2')"},
  };
  for (const auto& [args, message] : refusals) {
    const CommandResult result = Bench(args);
    EXPECT_EQ(result.exit_code, 2) << message;
    EXPECT_THAT(result.err, HasSubstr(message));
    EXPECT_THAT(result.err, HasSubstr("Usage: hypercall-bench"));
    EXPECT_EQ(result.out, "");
  }
}

}  // namespace
}  // namespace hypercall::testing
