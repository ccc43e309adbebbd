// The SDK examples as their own processes against the real daemon: the C++
// hypercall-example-provider and the Python example, each named in a config,
// serving a VM's calls (many in flight, one with guest memory operands), and
// the lifecycle around them: kill -9 mid-call, a restart that takes the
// ranges back, a daemon restart the SDK reconnects to by itself, SIGTERM, a
// hello the policy refuses and a claim whose operands the config does not
// list.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "support/daemon_process.h"
#include "support/provider_process.h"
#include "support/test_vm.h"

namespace hypercall::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr uint64_t kNotSupported = ~uint64_t{0};
constexpr int kDeadlineMs = 1500;

// One example provider: how to run it and where its service lives.
struct Example {
  std::string label;
  std::string name;
  uint32_t base;
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

void PrintTo(const Example& example, std::ostream* out) { *out << example.label; }

Example CppExample() {
  return {"Cpp", "example", 0xC3000100, {EXAMPLE_PROVIDER_PATH, "--name", "example"}, {}};
}

Example PythonExample() {
  return {"Python",
          "py-example",
          0xC3000200,
          {PYTHON3, "-u", PYTHON_EXAMPLE, "--name", "py-example"},
          {"PYTHONPATH=" PYTHON_SDK_PATH, "PYTHONDONTWRITEBYTECODE=1"}};
}

// One example's stanza: its three ranges, +4 (UPPER) reading x1 and x2 with
// the two memory operands the example claims, unless `upper_out_length`
// says otherwise.
std::string ExampleStanza(const std::string& name, uint32_t base, uid_t uid, int upper_out_length) {
  return absl::StrFormat(R"(provider {
  name: "%s"
  external { allow_uid: %d }
  range { first: 0x%08X last: 0x%08X reads: [1, 2, 3] }
  range {
    first: 0x%08X last: 0x%08X reads: [1, 2]
    memory { address_register: 1 length: 64 direction: IN }
    memory { address_register: 2 length: %d direction: OUT }
  }
  range { first: 0x%08X last: 0x%08X reads: [1, 2, 3] }
}
)",
                         name, uid, base, base + 3, base + 4, base + 4, upper_out_length, base + 5,
                         base + 0xF);
}

// Both examples' providers, served by `uid`, with a short call deadline.
std::string ExampleConfig(uid_t uid, int upper_out_length) {
  return absl::StrCat("version: 1\nprovider { name: \"trng\" builtin {} }\n",
                      ExampleStanza("example", 0xC3000100, uid, upper_out_length),
                      ExampleStanza("py-example", 0xC3000200, uid, upper_out_length),
                      absl::StrFormat("limits { call_deadline_ms: %d }\n", kDeadlineMs));
}

// 64 bytes, 47 of them lower-case ASCII letters (21 + 26), and UPPER's output.
constexpr char kUpperInput[] = "Guest memory, copied by the VMM: abcdefghijklmnopqrstuvwxyz 0123";
constexpr char kUpperOutput[] = "GUEST MEMORY, COPIED BY THE VMM: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123";
constexpr uint64_t kUpperChanged = 47;
static_assert(sizeof(kUpperInput) == 64 + 1 && sizeof(kUpperOutput) == 64 + 1);

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class ExampleProviderTest : public ::testing::TestWithParam<Example> {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercall-sdk-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    provider_.reset();
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartDaemon(uid_t uid = getuid(), int upper_out_length = 64) {
    const std::string config = dir_ + "/hypercalld.conf";
    std::ofstream(config) << ExampleConfig(uid, upper_out_length);
    auto daemon = DaemonProcess::Start({"--config", config});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  void StartProvider() {
    ProviderProcess::Options options;
    options.argv = GetParam().argv;
    options.argv.insert(options.argv.end(), {"--runtime-dir", daemon_->runtime_dir()});
    options.env = GetParam().env;
    options.log_path = dir_ + "/provider.log";
    auto process = ProviderProcess::Start(options);
    ASSERT_TRUE(process.ok()) << process.status();
    provider_ = std::move(*process);
  }

  std::unique_ptr<TestVm> AttachVm(const std::string& name, int vcpus = 1) {
    auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), name, vcpus);
    EXPECT_TRUE(vm.ok()) << vm.status();
    return vm.ok() ? std::move(*vm) : nullptr;
  }

  uint32_t Fn(uint32_t offset) const { return GetParam().base + offset; }

  // Calls WHO until the provider answers (it may still be connecting).
  absl::StatusOr<v1::Result> WhoWhenServed(TestVm& vm, int timeout_ms = 10000) {
    const auto deadline = steady_clock::now() + milliseconds(timeout_ms);
    while (true) {
      absl::StatusOr<v1::Result> result = vm.Call(Fn(3));
      if (!result.ok() || result->regs(0) != kNotSupported) return result;
      if (steady_clock::now() > deadline) {
        return absl::DeadlineExceededError("the provider never served: " + provider_->Log());
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<ProviderProcess> provider_;
};

TEST(ExampleProviderCliTest, HelpPrintsUsageAndExitsZero) {
  const CommandResult help = RunCommand({EXAMPLE_PROVIDER_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_TRUE(absl::StrContains(help.out, "Usage: hypercall-example-provider [--runtime-dir DIR]"))
      << help.out;
}

TEST(ExampleProviderCliTest, BadArgumentsExitTwoSayingWhy) {
  const std::pair<std::vector<std::string>, std::string> refusals[] = {
      {{"--frobnicate"}, "unknown argument '--frobnicate'"},
      {{"--name"}, "--name needs a value"},
      {{"--workers", "0"}, "--workers must be a whole number from 1 to 1024 (got '0')"},
  };
  for (const auto& [args, message] : refusals) {
    std::vector<std::string> argv = {EXAMPLE_PROVIDER_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult result = RunCommand(argv);
    EXPECT_EQ(result.exit_code, 2) << message;
    EXPECT_TRUE(absl::StrContains(result.err, message)) << result.err;
    EXPECT_TRUE(absl::StrContains(result.err, "Usage: hypercall-example-provider")) << result.err;
  }
}

TEST_P(ExampleProviderTest, AnswersAVmsCalls) {
  StartDaemon();
  StartProvider();
  std::unique_ptr<TestVm> vm = AttachVm("vm-a", 2);
  ASSERT_NE(vm, nullptr);
  ASSERT_TRUE(WhoWhenServed(*vm).ok());

  auto echo = vm->Call(Fn(0), {11, 22, 33});
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(echo->regs(0), 0u);
  EXPECT_EQ(echo->regs(1), 11u);
  EXPECT_EQ(echo->regs(2), 22u);
  EXPECT_EQ(echo->regs(3), 33u);
  ASSERT_TRUE(vm->Call(Fn(1), {5}).ok());
  auto add = vm->Call(Fn(1), {7}, /*vcpu=*/1);
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_EQ(add->regs(1), 12u);
  auto who = vm->Call(Fn(3), {}, /*vcpu=*/1);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->regs(1), 1u);
  EXPECT_EQ(who->regs(2), static_cast<uint64_t>(provider_->pid()));
  EXPECT_EQ(who->regs(3), 12u);
  auto unknown = vm->Call(Fn(0xF));
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->regs(0), kNotSupported);
}

TEST_P(ExampleProviderTest, UpperReadsOneGuestBufferAndWritesTheOther) {
  StartDaemon();
  StartProvider();
  std::unique_ptr<TestVm> vm = AttachVm("vm-a");
  ASSERT_NE(vm, nullptr);
  ASSERT_TRUE(WhoWhenServed(*vm).ok());

  // As the shim sends it: one entry per operand, in the range's order; the
  // IN buffer with its 64 bytes, the OUT buffer empty.
  v1::Call call;
  call.set_function_id(Fn(4));
  call.set_conduit(v1::CONDUIT_HVC);
  call.add_args(0x40001000);
  call.add_args(0x40002000);
  call.set_args_read_mask(0x6);
  v1::MemoryBytes* in = call.add_memory();
  in->set_operand(0);
  in->set_guest_phys_addr(0x40001000);
  in->set_length(64);
  in->set_direction(v1::MemoryOperand::IN);
  in->set_data(kUpperInput);
  v1::MemoryBytes* out = call.add_memory();
  out->set_operand(1);
  out->set_guest_phys_addr(0x40002000);
  out->set_length(64);
  out->set_direction(v1::MemoryOperand::OUT);
  auto upper = vm->Call(call);
  ASSERT_TRUE(upper.ok()) << upper.status();
  ASSERT_GE(upper->regs_size(), 2) << upper->DebugString();
  EXPECT_EQ(upper->regs(0), 0u);
  EXPECT_EQ(upper->regs(1), kUpperChanged);
  EXPECT_EQ(upper->written_mask(), 0x3u);
  ASSERT_EQ(upper->memory_size(), 1) << upper->DebugString();
  EXPECT_EQ(upper->memory(0).operand(), 1u);
  EXPECT_EQ(upper->memory(0).data(), kUpperOutput);
}

TEST_P(ExampleProviderTest, ServesManyCallsInFlightAtOnce) {
  StartDaemon();
  StartProvider();
  constexpr int kVcpus = 4;
  constexpr int kSleepMs = 400;
  std::unique_ptr<TestVm> vm = AttachVm("vm-a", kVcpus);
  ASSERT_NE(vm, nullptr);
  ASSERT_TRUE(WhoWhenServed(*vm).ok());
  for (int i = 1; i < kVcpus; ++i) ASSERT_TRUE(vm->Call(Fn(0), {}, i).ok());  // Opens the vCPUs.

  const auto start = steady_clock::now();
  std::vector<std::thread> vcpus;
  std::vector<uint64_t> x1(kVcpus);
  for (int i = 0; i < kVcpus; ++i) {
    vcpus.emplace_back([&, i] {
      auto result = vm->Call(Fn(2), {static_cast<uint64_t>(kSleepMs)}, i);
      if (result.ok() && result->regs(0) == 0) x1[i] = result->regs(1);
    });
  }
  for (std::thread& t : vcpus) t.join();
  // Four 400 ms calls one after another would take 1600 ms.
  EXPECT_LT(steady_clock::now() - start, milliseconds(kVcpus * kSleepMs - 300));
  for (int i = 0; i < kVcpus; ++i) EXPECT_EQ(x1[i], static_cast<uint64_t>(kSleepMs)) << i;
}

TEST_P(ExampleProviderTest, KilledMidCallTheVcpuGetsNotSupportedAndARestartServesAgain) {
  StartDaemon();
  StartProvider();
  std::unique_ptr<TestVm> vm = AttachVm("vm-a");
  ASSERT_NE(vm, nullptr);
  ASSERT_TRUE(WhoWhenServed(*vm).ok());
  const pid_t first_pid = provider_->pid();

  const auto start = steady_clock::now();
  std::thread killer([&] {
    std::this_thread::sleep_for(milliseconds(300));
    provider_->Signal(SIGKILL);
  });
  auto stalled = vm->Call(Fn(2), {60000});
  const auto waited = steady_clock::now() - start;
  killer.join();
  ASSERT_TRUE(stalled.ok()) << stalled.status();
  EXPECT_EQ(stalled->regs(0), kNotSupported);
  EXPECT_LT(waited, milliseconds(kDeadlineMs));
  ASSERT_TRUE(provider_->Wait(5000).has_value());

  StartProvider();
  auto who = WhoWhenServed(*vm);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->regs(0), 0u);
  EXPECT_EQ(who->regs(2), static_cast<uint64_t>(provider_->pid()));
  EXPECT_NE(provider_->pid(), first_pid);
}

TEST_P(ExampleProviderTest, ReconnectsByItselfWhenTheDaemonRestarts) {
  StartDaemon();
  StartProvider();
  {
    std::unique_ptr<TestVm> vm = AttachVm("vm-a");
    ASSERT_NE(vm, nullptr);
    ASSERT_TRUE(WhoWhenServed(*vm).ok());
  }
  ASSERT_TRUE(daemon_->Restart().ok());
  std::unique_ptr<TestVm> vm = AttachVm("vm-b");
  ASSERT_NE(vm, nullptr);
  auto who = WhoWhenServed(*vm);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->regs(2), static_cast<uint64_t>(provider_->pid()));
}

TEST_P(ExampleProviderTest, SigtermEndsItCleanly) {
  StartDaemon();
  StartProvider();
  std::unique_ptr<TestVm> vm = AttachVm("vm-a");
  ASSERT_NE(vm, nullptr);
  ASSERT_TRUE(WhoWhenServed(*vm).ok());
  provider_->Signal(SIGTERM);
  std::optional<int> status = provider_->Wait(5000);
  ASSERT_TRUE(status.has_value()) << "still running after SIGTERM: " << provider_->Log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  auto after = vm->Call(Fn(3));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->regs(0), kNotSupported);
}

TEST_P(ExampleProviderTest, ARefusedHelloIsLoggedWithTheReasonAndNotRetriedInALoop) {
  StartDaemon(getuid() + 1);
  StartProvider();
  std::this_thread::sleep_for(milliseconds(1500));
  const std::string log = provider_->Log();
  EXPECT_EQ(Count(log, "refused provider"), 1) << log;
  EXPECT_TRUE(absl::StrContains(log, "may not serve provider")) << log;
  // One attempt, then the long back-off: the daemon saw it once.
  EXPECT_LE(Count(daemon_->Log(), "refused"), 1) << daemon_->Log();
}

TEST_P(ExampleProviderTest, AClaimWhoseOperandsTheConfigDoesNotListIsLoggedOnce) {
  // The config's UPPER writes 32 bytes; the example claims 64.
  StartDaemon(getuid(), /*upper_out_length=*/32);
  StartProvider();
  const auto deadline = steady_clock::now() + milliseconds(10000);
  while (!absl::StrContains(provider_->Log(), "refused the claim") &&
         steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  // Retried with back-off meanwhile, logged once.
  std::this_thread::sleep_for(milliseconds(1000));
  const std::string log = provider_->Log();
  EXPECT_EQ(Count(log, "refused the claim"), 1) << log;
  EXPECT_TRUE(absl::StrContains(
      log, absl::StrFormat("refused the claim 0x%08x-0x%08x (reads 0x6, memory: x1 -> 64 bytes "
                           "in; x2 -> 64 bytes out)",
                           Fn(4), Fn(4))))
      << log;
}

INSTANTIATE_TEST_SUITE_P(Sdks, ExampleProviderTest,
                         ::testing::Values(CppExample(), PythonExample()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace hypercall::testing
