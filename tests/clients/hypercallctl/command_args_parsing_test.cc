// Argument checks of the `call` and `trace` commands: everything refused
// here is refused before anything is sent to the daemon.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "hypercallctl/call_command.h"
#include "hypercallctl/trace_command.h"

namespace hypercall::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ParseCallArgsTest, BuildsTheCallFromTheGivenRegisters) {
  CallRequest request = ParseCallArgs({"0xC4000053", "192", "0x5"}).value();
  EXPECT_EQ(request.call.function_id, 0xc4000053u);
  EXPECT_EQ(request.call.conduit, smccc::Conduit::kHvc);
  EXPECT_EQ(request.call.x[1], 192u);
  EXPECT_EQ(request.call.x[2], 5u);
  EXPECT_EQ(request.call.x[3], 0u);
  EXPECT_EQ(request.call.args_read_mask, 0b110u);
  EXPECT_EQ(request.vm_name, "hypercallctl-" + std::to_string(getpid()));
}

TEST(ParseCallArgsTest, ConduitVmAndNames) {
  CallRequest request = ParseCallArgs({"--smc", "--vm", "probe", "TRNG_VERSION"}).value();
  EXPECT_EQ(request.call.conduit, smccc::Conduit::kSmc);
  EXPECT_EQ(request.vm_name, "probe");
  EXPECT_EQ(request.call.function_id, 0x84000050u);
  EXPECT_EQ(request.call.args_read_mask, 0u);
}

TEST(ParseCallArgsTest, TakesSeventeenArgumentsAndNoMore) {
  std::vector<std::string> args = {"0xC4000053"};
  for (int i = 1; i <= 17; ++i) args.push_back(std::to_string(i));
  CallRequest request = ParseCallArgs(args).value();
  EXPECT_EQ(request.call.x[17], 17u);
  EXPECT_EQ(request.call.args_read_mask, smccc::kAllArgRegisters);
  args.push_back("18");
  EXPECT_EQ(ParseCallArgs(args).status().message(),
            "call takes at most 17 argument registers (X1..X17); got 18");
}

TEST(ParseCallArgsTest, RefusesReservedIdsWithTheReason) {
  for (const char* fid : {"0x80000000", "SMCCC_ARCH_FEATURES", "0xC000FFFF", "0x80010001"}) {
    absl::StatusOr<CallRequest> request = ParseCallArgs({fid});
    ASSERT_FALSE(request.ok()) << fid;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr("reserved range")) << fid;
    EXPECT_THAT(std::string(request.status().message()),
                HasSubstr("KVM answers these itself and never forwards them"));
  }
  EXPECT_TRUE(ParseCallArgs({"0x84000000"}).ok());  // PSCI is forwardable.
}

TEST(ParseCallArgsTest, BadNumbersNameTheRegister) {
  EXPECT_EQ(ParseCallArgs({"TRNG_RND64", "1", "0xzz"}).status().message(),
            "X2: '0xzz' is not a number (decimal or 0x-hex)");
  EXPECT_THAT(std::string(ParseCallArgs({}).status().message()),
              HasSubstr("call needs a function ID"));
}

TEST(ParseTraceArgsTest, OptionsAndLimits) {
  TraceRequest trace = ParseTraceArgs({"--vm", "demo", "--count", "3", "--duration=0x3c"}).value();
  EXPECT_EQ(trace.vm, "demo");
  EXPECT_EQ(trace.count, 3u);
  EXPECT_EQ(trace.duration_seconds, 60u);
  TraceRequest unlimited = ParseTraceArgs({}).value();
  EXPECT_EQ(unlimited.count, 0u);
  EXPECT_EQ(unlimited.duration_seconds, 0u);
  EXPECT_FALSE(ParseTraceArgs({"--count", "0"}).ok());
  EXPECT_EQ(ParseTraceArgs({"--count", "x"}).status().message(),
            "--count: 'x' is not a number (decimal or 0x-hex)");
  EXPECT_THAT(std::string(ParseTraceArgs({"demo"}).status().message()),
              HasSubstr("trace takes only options"));
}

}  // namespace
}  // namespace hypercall::ctl
