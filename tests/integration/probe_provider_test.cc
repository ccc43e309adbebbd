// The probe provider in the real daemon: `--providers` loads it, its ranges
// show over gRPC with their read masks (in the listing and in a VM's
// forwarding plan), and calls through a VMM stream reach it.
#include <gtest/gtest.h>

#include "hypercall/v1/observer.grpc.pb.h"
#include "support/daemon_process.h"
#include "test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

struct ExpectedRange {
  uint32_t first;
  uint32_t count;
  uint32_t args_read_mask;
  const char* provider;
};

// Sorted by first ID, as the daemon lists them.
constexpr ExpectedRange kTrngAndProbe[] = {
    {0x83000000, 1, 0xfe, "probe"}, {0x83000001, 15, 0x2, "probe"},
    {0x84000050, 16, 0x2, "trng"},  {0xc3000000, 1, 0x3fffe, "probe"},
    {0xc3000001, 15, 0x2, "probe"}, {0xc4000050, 16, 0x2, "trng"},
};

v1::ListRangesReply ListRanges(const DaemonProcess& daemon) {
  auto observer = v1::ObserverService::NewStub(Connect(daemon.observer_target()));
  grpc::ClientContext context;
  v1::ListRangesRequest request;
  *request.mutable_hello() = wire::MakeHello("probe-test/1");
  v1::ListRangesReply reply;
  grpc::Status status = observer->ListRanges(&context, request, &reply);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply;
}

TEST(ProbeInDaemonTest, ProvidersFlagLoadsProbeAndItsRangesShowOverGrpc) {
  auto daemon = DaemonProcess::Start({"--providers", "trng,probe"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  v1::ListRangesReply listed = ListRanges(**daemon);
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const v1::ForwardingPlan& plan = (*vm)->attached().plan();

  ASSERT_EQ(listed.ranges_size(), std::size(kTrngAndProbe));
  ASSERT_EQ(plan.ranges_size(), std::size(kTrngAndProbe));
  for (size_t i = 0; i < std::size(kTrngAndProbe); ++i) {
    const ExpectedRange& want = kTrngAndProbe[i];
    EXPECT_EQ(listed.ranges(i).first_function_id(), want.first) << i;
    EXPECT_EQ(listed.ranges(i).count(), want.count) << i;
    EXPECT_EQ(listed.ranges(i).args_read_mask(), want.args_read_mask) << i;
    EXPECT_EQ(listed.ranges(i).provider(), want.provider) << i;
    EXPECT_EQ(plan.ranges(i).first_function_id(), want.first) << i;
    EXPECT_EQ(plan.ranges(i).count(), want.count) << i;
    EXPECT_EQ(plan.ranges(i).args_read_mask(), want.args_read_mask) << i;
  }
}

TEST(ProbeInDaemonTest, CallsReachTheProbeThroughTheDaemon) {
  auto daemon = DaemonProcess::Start({"--providers=probe"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm", 2);
  ASSERT_TRUE(vm.ok()) << vm.status();

  std::vector<uint64_t> args;
  for (uint64_t i = 1; i <= 17; ++i) args.push_back(i);
  auto echo = (*vm)->Call(0xc3000000, args);
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(echo->written_mask(), 0x3ffffu);
  ASSERT_EQ(echo->regs_size(), 18);
  EXPECT_EQ(echo->regs(0), 0u);
  for (int i = 1; i <= 17; ++i) EXPECT_EQ(echo->regs(i), i + i * 0x1111111111111111u) << i;

  auto who = (*vm)->Call(0xc3000002, {99}, 1);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->written_mask(), 0x7u);
  EXPECT_EQ(who->regs(1), 1u);
  EXPECT_EQ(who->regs(2), 100u);

  // Without trng, its range is unowned: NOT_SUPPORTED from the daemon.
  auto trng = (*vm)->Call(0x84000050);
  ASSERT_TRUE(trng.ok()) << trng.status();
  EXPECT_EQ(trng->regs(0), 0xffffffffu);
}

TEST(ProbeInDaemonTest, ProbeIsOffByDefault) {
  auto daemon = DaemonProcess::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  v1::ListRangesReply listed = ListRanges(**daemon);
  ASSERT_EQ(listed.ranges_size(), 2);
  EXPECT_EQ(listed.ranges(0).provider(), "trng");
  EXPECT_EQ(listed.ranges(1).provider(), "trng");
}

TEST(ProbeInDaemonTest, UnknownProviderIsAUsageErrorNamingTheKnownOnes) {
  CommandResult result = RunCommand({HYPERCALLD_PATH, "--providers", "trng,bogus"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown provider 'bogus' (known: probe, trng)"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace hypercall::testing
