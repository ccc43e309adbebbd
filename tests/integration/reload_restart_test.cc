// A reload or a restart never silently breaks an attached VM: the shim and an
// external provider process against the real daemon, its config changed
// under them (SIGHUP) or the daemon restarted with another one.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/known_calls.h"
#include "support/shim_test_fixture.h"
#include "support/test_vm.h"
#include "test_provider.h"
#include "wire/protocol.h"

namespace hypercall::shim::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr uint32_t kOem = 0xC3000000;
constexpr uint64_t kNotSupported = ~uint64_t{0};

// One external provider "oem" this test's uid serves, reading `reads`, with
// the daemon's call deadline `deadline_ms`; and the built-in TRNG.
std::string OemConfig(const std::string& reads, int deadline_ms = 300, uid_t uid = getuid()) {
  return absl::StrFormat(R"(version: 1
provider { name: "trng" builtin {} }
provider {
  name: "oem"
  external { allow_uid: %d }
  range { first: 0xC3000000 last: 0xC30000FF reads: [%s] }
}
limits { call_deadline_ms: %d }
)",
                         uid, reads, deadline_ms);
}

bool WaitFor(const std::function<bool()>& done, int timeout_ms = 10000) {
  const auto end = std::chrono::steady_clock::now() + milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

// A provider process as the SDK runs one: connects, claims kOem+16 reading
// `mask`, answers each call with x1 + 1 (or not at all when `silent`), and
// connects and claims again whenever its stream ends. Keeps every call it
// got.
class KeptProvider {
 public:
  KeptProvider(std::string target, uint32_t mask, bool silent = false)
      : target_(std::move(target)), mask_(mask), silent_(silent), thread_([this] { Run(); }) {}
  ~KeptProvider() {
    stop_ = true;
    {
      absl::MutexLock lock(&mu_);
      if (current_ != nullptr) current_->Cancel();
    }
    thread_.join();
  }

  void set_mask(uint32_t mask) { mask_ = mask; }
  // Streams whose claim was granted so far.
  int served() const { return served_; }
  std::vector<v1::Call> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  void Run() {
    while (!stop_) {
      auto provider = hypercall::testing::TestProvider::Connect(target_, "oem");
      if (!provider.ok()) {
        std::this_thread::sleep_for(milliseconds(20));
        continue;
      }
      auto claim = (*provider)->Claim(kOem, 0x10, mask_);
      if (!claim.ok() || !claim->granted()) {
        std::this_thread::sleep_for(milliseconds(20));
        continue;
      }
      {
        absl::MutexLock lock(&mu_);
        if (stop_) return;
        current_ = provider->get();
      }
      ++served_;
      while (true) {
        auto call = (*provider)->NextCall();
        if (!call.ok()) break;
        {
          absl::MutexLock lock(&mu_);
          calls_.push_back(call->call());
        }
        const uint64_t x1 = call->call().args_size() > 0 ? call->call().args(0) : 0;
        if (!silent_) (*provider)->Answer(call->call().call_id(), {0, x1 + 1});
      }
      absl::MutexLock lock(&mu_);
      current_ = nullptr;
    }
  }

  const std::string target_;
  std::atomic<uint32_t> mask_;
  const bool silent_;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  mutable absl::Mutex mu_;
  hypercall::testing::TestProvider* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<v1::Call> calls_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

class ReloadRestartTest : public ShimWithDaemonTest {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercall-reload-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    config_dir_ = dir;
    config_path_ = config_dir_ + "/hypercalld.conf";
    WriteConfig(InitialConfig());
    ShimWithDaemonTest::SetUp();
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(config_dir_);
  }
  virtual std::string InitialConfig() const { return OemConfig("1, 2"); }
  std::vector<std::string> DaemonArgs() const override { return {"--config", config_path_}; }
  void WriteConfig(const std::string& config) { std::ofstream(config_path_) << config; }

  // Calls kOem + 1 with x1 = `x1` (x2 = 7, x3 = 9) on vCPU 0.
  CallOutcome CallOem(Shim& shim, uint64_t x1) {
    IssueMarked(vcpu_, kOem + 1, {x1, 7, 9});
    absl::StatusOr<CallOutcome> out = shim.HandleHypercall(0, vcpu_);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : CallOutcome{};
  }
  // Whether a call to kOem + 1 is served by the provider now.
  bool Served(Shim& shim) {
    CallOutcome out = CallOem(shim, 41);
    return out.disposition == Disposition::kBrokered && vcpu_.x(0) == 0 && vcpu_.x(1) == 42;
  }
  std::string config_dir_;
  std::string config_path_;
  SimulatedVcpu vcpu_;
};

TEST_F(ReloadRestartTest,
       AReloadChangingAProviderEndsTheVmsSessionWithTheReasonAndItIsServedAgain) {
  KeptProvider provider(daemon_->provider_target(), 0x6);
  ASSERT_TRUE(WaitFor([&] { return provider.served() == 1; }));
  auto shim = ConnectOrDie("vm-a");
  ASSERT_NE(shim, nullptr);
  ASSERT_TRUE(Served(*shim));

  // A new deadline makes a new provider object; its process connects again.
  WriteConfig(OemConfig("1, 2", 400));
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return shim->attach_count() == 2 && shim->connected(); }))
      << daemon_->Log();
  EXPECT_TRUE(
      Logged("hypercalld ended this VM's session (a config reload changed provider "
             "\"oem\" of this VM's plan: attach again for the new plan)"));
  EXPECT_TRUE(WaitFor([&] { return Served(*shim); })) << daemon_->Log();
  EXPECT_EQ(provider.served(), 2);
  EXPECT_FALSE(Logged("does not serve"));
}

TEST_F(ReloadRestartTest, AReloadThatNoLongerAllowsAProcesssUidEndsItsStream) {
  auto provider = hypercall::testing::TestProvider::Connect(daemon_->provider_target(), "oem");
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto claim = (*provider)->Claim(kOem, 0x10, 0x6);
  ASSERT_TRUE(claim.ok() && claim->granted()) << claim.status();

  // The same provider, served by another uid only.
  WriteConfig(OemConfig("1, 2", 300, /*uid=*/65534));
  daemon_->Signal(SIGHUP);
  // Bounded: a stream the reload wrongly keeps is cancelled here instead.
  std::atomic<bool> ended{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 500 && !ended; ++i) std::this_thread::sleep_for(milliseconds(10));
    if (!ended) (*provider)->Cancel();
  });
  auto next = (*provider)->NextCall();
  ended = true;
  watchdog.join();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kPermissionDenied) << next.status();
  EXPECT_THAT(
      next.status().message(),
      HasSubstr(absl::StrFormat("a config reload changed who may serve: uid %d", getuid())));
  EXPECT_THAT(next.status().message(), HasSubstr("the config allows uid [65534]"));
  EXPECT_EQ(
      hypercall::testing::TestProvider::Connect(daemon_->provider_target(), "oem").status().code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(ReloadRestartTest, ARestartWithAnUnchangedConfigServesTheReattachedVmAsBefore) {
  KeptProvider provider(daemon_->provider_target(), 0x6);
  auto shim = ConnectOrDie("vm-a");
  ASSERT_NE(shim, nullptr);
  ASSERT_TRUE(WaitFor([&] { return Served(*shim); }));

  ASSERT_TRUE(daemon_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return shim->attach_count() == 2 && shim->connected(); }));
  EXPECT_TRUE(WaitFor([&] { return Served(*shim); })) << daemon_->Log();
  EXPECT_FALSE(Logged("does not serve"));
}

TEST_F(ReloadRestartTest, ARestartWhoseProviderReadsMoreRefusesTheRangeLocallyAndSaysSoOnce) {
  KeptProvider provider(daemon_->provider_target(), 0x6);
  auto shim = ConnectOrDie("vm-a");
  ASSERT_NE(shim, nullptr);
  ASSERT_TRUE(WaitFor([&] { return Served(*shim); }));
  const size_t calls_before = provider.calls().size();

  // The provider now reads x3 too, which KVM's filter of this VM was never
  // planned to read.
  WriteConfig(OemConfig("1, 2, 3"));
  provider.set_mask(0xe);
  ASSERT_TRUE(daemon_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return shim->attach_count() == 2 && shim->connected(); }));
  ASSERT_TRUE(WaitFor([&] { return provider.served() == 2; }));
  for (int i = 0; i < 20; ++i) {
    CallOutcome out = CallOem(*shim, 41);
    EXPECT_EQ(out.disposition, Disposition::kUnavailable);
    EXPECT_EQ(vcpu_.x(0), kNotSupported);
    EXPECT_EQ(out.registers.reads, 0u) << "nothing read, nothing sent";
  }
  // The provider saw none of them: never a zero for an unread x3.
  EXPECT_EQ(provider.calls().size(), calls_before);
  EXPECT_EQ(shim->vcpu_stats(0).unavailable, 20u);
  EXPECT_EQ(TimesLogged("hypercalld does not serve range 0xc3000000-0xc30000ff of this VM's plan "
                        "(provider \"oem\" now reads registers (mask 0xe) the VM does not read "
                        "(it reads 0x6))"),
            1)
      << "once per range, never per call";
  // The rest of the plan is served.
  vcpu_.Issue(smccc::kTrngRnd64, {64});
  absl::StatusOr<CallOutcome> trng = shim->HandleHypercall(0, vcpu_);
  ASSERT_TRUE(trng.ok());
  EXPECT_EQ(trng->disposition, Disposition::kBrokered);
  EXPECT_THAT(daemon_->Log(), HasSubstr("(re-attached with its plan; 1 ranges refused)"));
}

TEST_F(ReloadRestartTest, ARestartWhoseProviderReadsFewerServesTheRangeWithTheNewReads) {
  KeptProvider provider(daemon_->provider_target(), 0x6);
  auto shim = ConnectOrDie("vm-a");
  ASSERT_NE(shim, nullptr);
  ASSERT_TRUE(WaitFor([&] { return Served(*shim); }));

  WriteConfig(OemConfig("1"));
  provider.set_mask(0x2);
  ASSERT_TRUE(daemon_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return shim->attach_count() == 2 && shim->connected(); }));
  EXPECT_TRUE(WaitFor([&] { return Served(*shim); })) << daemon_->Log();
  EXPECT_FALSE(Logged("does not serve"));
}

// The daemon gives its providers longer than the shim's own call deadline.
class LongDaemonDeadlineTest : public ReloadRestartTest {
 protected:
  static constexpr milliseconds kDaemonDeadline{1200};
  std::string InitialConfig() const override {
    return OemConfig("1, 2", static_cast<int>(kDaemonDeadline.count()));
  }
};

TEST_F(LongDaemonDeadlineTest, TheShimWaitsForTheDaemonsAnswerNeverLessThanItsDeadline) {
  static_assert(kDaemonDeadline > kCallDeadline);
  KeptProvider silent(daemon_->provider_target(), 0x6, /*silent=*/true);
  ASSERT_TRUE(WaitFor([&] { return silent.served() == 1; }));
  auto shim = ConnectOrDie("vm-a");
  ASSERT_NE(shim, nullptr);

  CallOutcome out = CallOem(*shim, 41);
  // The daemon's answer, when its provider let the deadline pass: the shim
  // did not give up first.
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(vcpu_.x(0), kNotSupported);
  EXPECT_GE(out.latency, kDaemonDeadline);
  EXPECT_EQ(silent.calls().size(), 1u);
}

TEST_F(LongDaemonDeadlineTest, AVmmThatGaveUpOnACallOpensThatVcpuAgainAtOnce) {
  KeptProvider silent(daemon_->provider_target(), 0x6, /*silent=*/true);
  ASSERT_TRUE(WaitFor([&] { return silent.served() == 1; }));
  std::shared_ptr<grpc::Channel> channel = hypercall::testing::Connect(daemon_->vmm_target());
  auto vm = hypercall::testing::TestVm::Attach(channel, "vm-a");
  ASSERT_TRUE(vm.ok()) << vm.status();
  auto stub = v1::VmmService::NewStub(channel);

  // vCPU 0 calls the silent provider, then gives up on it.
  grpc::ClientContext abandoned;
  auto stream = stub->Vcpu(&abandoned);
  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = wire::MakeHello("reload-test/1");
  open.mutable_open()->set_session_id((*vm)->attached().session_id());
  open.mutable_open()->set_vcpu_index(0);
  v1::VcpuReply reply;
  ASSERT_TRUE(stream->Write(open) && stream->Read(&reply) && reply.has_opened());
  v1::VcpuRequest call;
  call.mutable_call()->set_call_id(1);
  call.mutable_call()->set_function_id(kOem);
  call.mutable_call()->set_conduit(v1::CONDUIT_HVC);
  ASSERT_TRUE(stream->Write(call));
  ASSERT_TRUE(WaitFor([&] { return silent.calls().size() == 1; }));
  abandoned.TryCancel();

  // Its next stream opens (once the daemon has seen the cancel) and is
  // answered long before the abandoned call's deadline.
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<v1::Result> trng;
  ASSERT_TRUE(WaitFor(
      [&] {
        trng = (*vm)->Call(smccc::kTrngVersion);
        return trng.ok();
      },
      static_cast<int>(kDaemonDeadline.count())))
      << trng.status();
  EXPECT_NE(trng->regs(0), kNotSupported);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kDaemonDeadline / 2);
  stream->Finish().ok();
}

}  // namespace
}  // namespace hypercall::shim::testing
