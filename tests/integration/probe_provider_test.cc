// The probe provider in the real daemon: `--providers` loads it, its ranges
// show over gRPC with their read masks and memory operands (in the listing
// and in a VM's forwarding plan), and calls through a VMM stream reach it,
// its memory functions with guest bytes in and out.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hypercall/v1/observer.grpc.pb.h"
#include "support/config_file.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

struct ExpectedRange {
  uint32_t first;
  uint32_t count;
  uint32_t args_read_mask;
  const char* provider;
  // The memory operands' address registers, in order.
  std::vector<uint32_t> memory;
};

// Sorted by first ID, as the daemon lists them.
const ExpectedRange kTrngAndProbe[] = {
    {0x83000000, 1, 0xfe, "probe", {}},    {0x83000001, 2, 0x2, "probe", {}},
    {0x83000003, 1, 0x6, "probe", {1, 2}}, {0x83000004, 1, 0x6, "probe", {1}},
    {0x83000005, 1, 0x6, "probe", {2}},    {0x83000006, 10, 0x2, "probe", {}},
    {0x84000050, 16, 0x2, "trng", {}},     {0xc3000000, 1, 0x3fffe, "probe", {}},
    {0xc3000001, 2, 0x2, "probe", {}},     {0xc3000003, 1, 0x6, "probe", {1, 2}},
    {0xc3000004, 1, 0x6, "probe", {1}},    {0xc3000005, 1, 0x6, "probe", {2}},
    {0xc3000006, 10, 0x2, "probe", {}},    {0xc4000050, 16, 0x2, "trng", {}},
};

std::vector<uint32_t> AddressRegisters(
    const google::protobuf::RepeatedPtrField<v1::MemoryOperand>& memory) {
  std::vector<uint32_t> out;
  for (const v1::MemoryOperand& op : memory) out.push_back(op.address_register());
  return out;
}

// A call as a VMM would send it to the probe: x1, x2 read, and `memory`.
v1::Call ProbeCall(uint32_t fid, uint64_t x1, uint64_t x2,
                   std::vector<v1::MemoryBytes> memory = {}) {
  v1::Call call;
  call.set_function_id(fid);
  call.set_conduit(v1::CONDUIT_SMC);
  call.add_args(x1);
  call.add_args(x2);
  call.set_args_read_mask(0x6);
  for (v1::MemoryBytes& bytes : memory) *call.add_memory() = std::move(bytes);
  return call;
}

v1::MemoryBytes Bytes(uint32_t operand, uint64_t address, uint32_t length,
                      v1::MemoryOperand::Direction direction, std::string data = "") {
  v1::MemoryBytes bytes;
  bytes.set_operand(operand);
  bytes.set_guest_phys_addr(address);
  bytes.set_length(length);
  bytes.set_direction(direction);
  bytes.set_data(std::move(data));
  return bytes;
}

uint64_t Reg(const v1::Result& result, int i) {
  return i < result.regs_size() ? result.regs(i) : 0;
}

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
    EXPECT_EQ(AddressRegisters(listed.ranges(i).memory()), want.memory) << i;
    EXPECT_EQ(plan.ranges(i).first_function_id(), want.first) << i;
    EXPECT_EQ(plan.ranges(i).count(), want.count) << i;
    EXPECT_EQ(plan.ranges(i).args_read_mask(), want.args_read_mask) << i;
    EXPECT_EQ(AddressRegisters(plan.ranges(i).memory()), want.memory) << i;
  }
  // MEM_REVERSE's operands in full, and MEM_WHEN's condition and x0.
  const v1::PlannedRange& reverse = plan.ranges(9);
  ASSERT_EQ(reverse.memory_size(), 2);
  EXPECT_EQ(reverse.memory(0).length(), 64u);
  EXPECT_EQ(reverse.memory(0).direction(), v1::MemoryOperand::IN);
  EXPECT_EQ(reverse.memory(1).length(), 64u);
  EXPECT_EQ(reverse.memory(1).direction(), v1::MemoryOperand::OUT);
  const v1::MemoryOperand& when = plan.ranges(11).memory(0);
  EXPECT_EQ(when.length(), 16u);
  EXPECT_EQ(when.direction(), v1::MemoryOperand::OUT);
  EXPECT_EQ(when.when_register(), 1u);
  EXPECT_EQ(when.when_mask(), 1u);
  EXPECT_EQ(when.when_value(), 0u);
  ASSERT_TRUE(when.has_bad_address_x0());
  EXPECT_EQ(when.bad_address_x0(), 5u);
}

TEST(ProbeInDaemonTest, MemoryFunctionsTakeAndGiveGuestBytesThroughTheDaemon) {
  auto daemon = DaemonProcess::Start({"--providers=probe"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm");
  ASSERT_TRUE(vm.ok()) << vm.status();

  std::string input;
  for (int i = 0; i < 64; ++i) input.push_back(static_cast<char>(i + 1));  // Sum 2080.
  for (uint32_t base : {0xc3000000u, 0x83000000u}) {
    auto reverse = (*vm)->Call(ProbeCall(base + 3, 0x40001000, 0x40002000,
                                         {Bytes(0, 0x40001000, 64, v1::MemoryOperand::IN, input),
                                          Bytes(1, 0x40002000, 64, v1::MemoryOperand::OUT)}));
    ASSERT_TRUE(reverse.ok()) << reverse.status();
    EXPECT_EQ(Reg(*reverse, 0), 0u);
    EXPECT_EQ(Reg(*reverse, 1), 2080u);
    ASSERT_EQ(reverse->memory_size(), 1);
    EXPECT_EQ(reverse->memory(0).operand(), 1u);
    EXPECT_EQ(reverse->memory(0).guest_phys_addr(), 0x40002000u);
    EXPECT_EQ(reverse->memory(0).length(), 64u);
    EXPECT_EQ(reverse->memory(0).direction(), v1::MemoryOperand::OUT);
    EXPECT_EQ(reverse->memory(0).data(), std::string(input.rbegin(), input.rend()));

    auto xored = (*vm)->Call(ProbeCall(
        base + 4, 0x40001000, 0x0f, {Bytes(0, 0x40001000, 64, v1::MemoryOperand::INOUT, input)}));
    ASSERT_TRUE(xored.ok()) << xored.status();
    EXPECT_EQ(Reg(*xored, 0), 0u);
    EXPECT_EQ(Reg(*xored, 1), 64u);
    ASSERT_EQ(xored->memory_size(), 1);
    EXPECT_EQ(xored->memory(0).direction(), v1::MemoryOperand::INOUT);
    ASSERT_EQ(xored->memory(0).data().size(), 64u);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(xored->memory(0).data()[i], (i + 1) ^ 0x0f) << i;

    auto slow = (*vm)->Call(
        ProbeCall(base + 5, 0, 0x40003000, {Bytes(0, 0x40003000, 16, v1::MemoryOperand::OUT)}));
    ASSERT_TRUE(slow.ok()) << slow.status();
    EXPECT_EQ(Reg(*slow, 1), 16u);
    ASSERT_EQ(slow->memory_size(), 1);
    EXPECT_EQ(slow->memory(0).data(), std::string("hypercall-probe\0", 16));

    auto fast = (*vm)->Call(ProbeCall(base + 5, 1, 0x40003000));
    ASSERT_TRUE(fast.ok()) << fast.status();
    EXPECT_EQ(Reg(*fast, 0), 0u);
    EXPECT_EQ(Reg(*fast, 1), 0u);
    EXPECT_EQ(fast->memory_size(), 0);
  }
}

TEST(ProbeInDaemonTest, AConfigRangeOverSeveralOfItsClaimsKeepsEachPartsReadsAndMemory) {
  char dir[] = "/tmp/hypercall-conf-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string config = std::string(dir) + "/hypercalld.conf";
  std::ofstream(config) << "version: 1\nprovider { name: \"probe\" builtin {}\n"
                           "  range { first: 0xC3000002 last: 0xC3000006 } }\n";
  auto daemon = DaemonProcess::Start({"--config", config});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm");
  ASSERT_TRUE(vm.ok()) << vm.status();
  const v1::ForwardingPlan& plan = (*vm)->attached().plan();
  const ExpectedRange want[] = {{0xc3000002, 1, 0x2, "probe", {}},
                                {0xc3000003, 1, 0x6, "probe", {1, 2}},
                                {0xc3000004, 1, 0x6, "probe", {1}},
                                {0xc3000005, 1, 0x6, "probe", {2}},
                                {0xc3000006, 1, 0x2, "probe", {}}};
  ASSERT_EQ(plan.ranges_size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    EXPECT_EQ(plan.ranges(i).first_function_id(), want[i].first) << i;
    EXPECT_EQ(plan.ranges(i).count(), want[i].count) << i;
    EXPECT_EQ(plan.ranges(i).args_read_mask(), want[i].args_read_mask) << i;
    EXPECT_EQ(AddressRegisters(plan.ranges(i).memory()), want[i].memory) << i;
  }
  daemon->reset();
  std::filesystem::remove_all(dir);
}

TEST(ProbeInDaemonTest, ACallWhoseMemoryDoesNotMatchThePlanEndsItsStreamSayingWhatToFix) {
  auto daemon = DaemonProcess::Start({"--providers=probe"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm", 3);
  ASSERT_TRUE(vm.ok()) << vm.status();
  // MEM_REVERSE without its out buffer.
  auto missing = (*vm)->Call(
      ProbeCall(0xc3000003, 0x40001000, 0x40002000,
                {Bytes(0, 0x40001000, 64, v1::MemoryOperand::IN, std::string(64, 'a'))}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find(
                "malformed call 1 (function 0xc3000003): memory operand 1 (x2 -> 64 bytes out) "
                "applies to this call but it passes no buffer for it"),
            std::string::npos)
      << missing.status();
  // An in buffer with fewer bytes than its length, on the other vCPU.
  auto short_data =
      (*vm)->Call(ProbeCall(0xc3000004, 0x40001000, 0,
                            {Bytes(0, 0x40001000, 64, v1::MemoryOperand::INOUT, "ab")}),
                  1);
  ASSERT_FALSE(short_data.ok());
  EXPECT_EQ(short_data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_data.status().message().find("carries 2 bytes of data; it must carry exactly its "
                                               "64 bytes from guest RAM"),
            std::string::npos)
      << short_data.status();
  // The session and the daemon carry on.
  auto again = (*vm)->Call(0xc3000002, {1}, 2);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Reg(*again, 2), 2u);
}

TEST(ProbeInDaemonTest, TheTraceShowsMemoryBuffersWithoutTheirBytes) {
  // Addresses are for watchers the config grants registers.
  const ConfigFile config("version: 1\nprovider { name: \"probe\" builtin {} }\n" +
                          GrantRegisters(getuid()));
  auto daemon = DaemonProcess::Start({"--config", config.path()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto vm = TestVm::Attach(Connect((*daemon)->vmm_target()), "probe-vm");
  ASSERT_TRUE(vm.ok()) << vm.status();
  auto observer = v1::ObserverService::NewStub(Connect((*daemon)->observer_target()));
  grpc::ClientContext context;
  v1::TraceRequest request;
  *request.mutable_hello() = wire::MakeHello("probe-test/1");
  auto trace = observer->Trace(&context, request);
  // The watcher is registered once the daemon has the request; call until
  // an event comes.
  std::atomic<bool> traced{false};
  std::thread caller([&] {
    for (int i = 0; i < 50 && !traced; ++i) {
      auto result = (*vm)->Call(
          ProbeCall(0xc3000004, 0x40001000, 1,
                    {Bytes(0, 0x40001000, 64, v1::MemoryOperand::INOUT, std::string(64, 'g'))}));
      ASSERT_TRUE(result.ok()) << result.status();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  v1::TraceEvent event;
  ASSERT_TRUE(trace->Read(&event));
  traced = true;
  context.TryCancel();
  caller.join();
  ASSERT_EQ(event.call().memory_size(), 1);
  EXPECT_EQ(event.call().memory(0).guest_phys_addr(), 0x40001000u);
  EXPECT_EQ(event.call().memory(0).length(), 64u);
  EXPECT_EQ(event.call().memory(0).direction(), v1::MemoryOperand::INOUT);
  EXPECT_TRUE(event.call().memory(0).data().empty());
  ASSERT_EQ(event.result().memory_size(), 1);
  EXPECT_EQ(event.result().memory(0).length(), 64u);  // Bytes written back.
  EXPECT_TRUE(event.result().memory(0).data().empty());
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
  EXPECT_NE(result.err.find(
                "unknown provider 'bogus' (known: hyperv, kvm_discover, probe, pvtime, trng)"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace hypercall::testing
