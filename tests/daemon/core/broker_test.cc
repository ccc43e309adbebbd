// The broker core's own promises, through its public interface: providers
// added and replaced all or nothing, calls routed by range with the routes a
// session attached with, the plan and attach policies, sessions found, ended
// and counted, the limits, the names kept for their VMMs over a restart, and
// shutdown.
#include "core/broker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/process_info.h"
#include "core/held_names.h"
#include "core/vcpu_channel.h"
#include "named_provider.h"
#include "smccc/return_codes.h"
#include "support/fake_clock.h"

namespace hypercall::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr smccc::FunctionRange kRangeA{0xc3000000, 0xc30000ff};
constexpr smccc::FunctionRange kRangeB{0xc4000000, 0xc40000ff};
constexpr uint32_t kInA = 0xc3000005;
constexpr uint32_t kInB = 0xc4000010;
constexpr uint32_t kUnowned = 0xc5000000;

// Answers every call with x0 = `answer` and keeps what it was told. Only
// used from the test's thread.
class AnsweringProvider final : public provider::Provider {
 public:
  AnsweringProvider(std::string name, std::vector<smccc::FunctionRange> ranges, int64_t answer)
      : name_(std::move(name)), answer_(answer) {
    for (const smccc::FunctionRange& range : ranges) {
      claims_.push_back({range, smccc::kAllArgRegisters, {}});
    }
  }

  std::string_view name() const override { return name_; }
  std::vector<provider::RangeClaim> Claims() const override { return claims_; }
  void Handle(const provider::CallContext& context, const smccc::Call&,
              provider::Completion& done) override {
    ++calls;
    seen_deadline = context.deadline;
    done.Complete(smccc::Result::Code(answer_));
  }
  void VmDetached(std::string_view vm) override { detached.emplace_back(vm); }

  int calls = 0;
  std::chrono::steady_clock::time_point seen_deadline;
  std::vector<std::string> detached;

 private:
  const std::string name_;
  const int64_t answer_;
  std::vector<provider::RangeClaim> claims_;
};

class CapturingSink final : public ResultSink {
 public:
  void OnResult(uint64_t, const smccc::Result& result) override { results.push_back(result); }
  std::vector<smccc::Result> results;
};

class RecordingListener final : public SessionListener {
 public:
  void OnSessionClosed(const absl::Status& reason) override { reasons.push_back(reason); }
  std::vector<absl::Status> reasons;
};

VmDescription Vm(std::string name) {
  return {.name = std::move(name), .uuid = "", .vcpu_count = 2, .ram = {}, .stolen_time = {}};
}

// What x0 a call to `fid` on vCPU 0 of `session` gets.
int64_t CallX0(Broker& broker, std::shared_ptr<Session> session, uint32_t fid) {
  CapturingSink sink;
  VcpuChannel channel(broker, std::move(session), 0, sink);
  smccc::Call call;
  call.function_id = fid;
  EXPECT_TRUE(channel.Submit(1, call).ok());
  EXPECT_EQ(sink.results.size(), 1u);
  return sink.results.empty() ? 0 : static_cast<int64_t>(sink.results.front().x[0]);
}

// The provider names of `routes`, in range order.
std::vector<std::string> RouteOwners(const RangeTable& routes) {
  std::vector<std::string> names;
  for (const Route& route : routes.routes()) names.push_back(route.provider->name);
  return names;
}

std::shared_ptr<ProviderEntry> Entry(std::unique_ptr<AnsweringProvider> provider) {
  return std::make_shared<ProviderEntry>(std::move(provider), "builtin");
}

class BrokerTest : public ::testing::Test {
 protected:
  // Adds "a" (kRangeA, answers 1) and "b" (kRangeB, answers 2).
  void AddBoth() {
    auto a = std::make_unique<AnsweringProvider>("a", std::vector{kRangeA}, 1);
    auto b = std::make_unique<AnsweringProvider>("b", std::vector{kRangeB}, 2);
    a_ = a.get();
    b_ = b.get();
    ASSERT_TRUE(broker_.AddProvider(std::move(a), "builtin").ok());
    ASSERT_TRUE(broker_.AddProvider(std::move(b), "external").ok());
  }

  std::shared_ptr<Session> Attach(const std::string& name, SessionListener* owner = nullptr) {
    absl::StatusOr<std::shared_ptr<Session>> session = broker_.Attach(Vm(name), "test/1", owner);
    EXPECT_TRUE(session.ok()) << session.status();
    return session.ok() ? *session : nullptr;
  }

  Broker broker_{{.call_deadline = std::chrono::milliseconds(250)}};
  AnsweringProvider* a_ = nullptr;
  AnsweringProvider* b_ = nullptr;
};

TEST_F(BrokerTest, AddedProvidersOwnTheirDefaultClaims) {
  AddBoth();
  EXPECT_THAT(RouteOwners(*broker_.Routes()), ElementsAre("a", "b"));
  std::vector<std::shared_ptr<const ProviderEntry>> providers = broker_.Providers();
  ASSERT_EQ(providers.size(), 2u);
  EXPECT_EQ(providers[0]->name, "a");
  EXPECT_EQ(providers[0]->kind, "builtin");
  EXPECT_EQ(providers[1]->kind, "external");
  std::vector<Broker::ProviderSetup> setups = broker_.ProviderSetups();
  ASSERT_EQ(setups.size(), 2u);
  ASSERT_EQ(setups[1].claims.size(), 1u);
  EXPECT_EQ(setups[1].claims[0].range.first, kRangeB.first);
  EXPECT_EQ(setups[1].claims[0].range.last, kRangeB.last);
}

TEST_F(BrokerTest, AProviderWhoseClaimIsRefusedIsNotAdded) {
  AddBoth();
  auto overlapping = std::make_unique<AnsweringProvider>(
      "c", std::vector<smccc::FunctionRange>{{0xc30000f0, 0xc3000100}}, 3);
  absl::StatusOr<std::shared_ptr<ProviderEntry>> added =
      broker_.AddProvider(std::move(overlapping), "builtin");
  EXPECT_EQ(added.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(added.status().message(), HasSubstr("provider \"c\": "));
  EXPECT_THAT(added.status().message(), HasSubstr("of provider \"a\""));
  EXPECT_THAT(RouteOwners(*broker_.Routes()), ElementsAre("a", "b"));
  EXPECT_EQ(broker_.Providers().size(), 2u);
}

TEST_F(BrokerTest, CallsReachTheOwnerOfTheirRange) {
  AddBoth();
  std::shared_ptr<Session> session = Attach("vm-1");
  EXPECT_EQ(CallX0(broker_, session, kInA), 1);
  EXPECT_EQ(CallX0(broker_, session, kInB), 2);
  EXPECT_EQ(CallX0(broker_, session, kInB), 2);
  EXPECT_EQ(a_->calls, 1);
  EXPECT_EQ(b_->calls, 2);
  EXPECT_EQ(broker_.Providers()[1]->calls.load(), 2u);
  EXPECT_EQ(broker_.Stats().calls_total, 3u);
}

TEST_F(BrokerTest, UnownedIdsGetNotSupportedAndAreCounted) {
  AddBoth();
  std::shared_ptr<Session> session = Attach("vm-1");
  EXPECT_EQ(CallX0(broker_, session, kUnowned), smccc::kNotSupported);
  EXPECT_EQ(a_->calls + b_->calls, 0);
  BrokerStats stats = broker_.Stats();
  EXPECT_EQ(stats.calls_total, 1u);
  EXPECT_EQ(stats.calls_unowned, 1u);
}

TEST_F(BrokerTest, EachCallsDeadlineIsTheBrokersCallDeadlineAfterItArrived) {
  EXPECT_EQ(Broker().call_deadline(), std::chrono::seconds(1));
  EXPECT_EQ(broker_.call_deadline(), std::chrono::milliseconds(250));
  AddBoth();
  std::shared_ptr<Session> session = Attach("vm-1");
  const auto before = std::chrono::steady_clock::now();
  CallX0(broker_, session, kInA);
  const auto after = std::chrono::steady_clock::now();
  EXPECT_GE(a_->seen_deadline, before + std::chrono::milliseconds(250));
  EXPECT_LE(a_->seen_deadline, after + std::chrono::milliseconds(250));
}

TEST_F(BrokerTest, AReloadThatDropsAProviderEndsTheSessionsPlannedWithIt) {
  AddBoth();
  RecordingListener planned_with_a;
  std::shared_ptr<Session> before = Attach("vm-1", &planned_with_a);
  std::vector<Broker::ProviderSetup> setups = broker_.ProviderSetups();
  ASSERT_TRUE(broker_.SetProviders({setups[1]}, {}).ok());  // Only "b" now.

  EXPECT_THAT(RouteOwners(*broker_.Routes()), ElementsAre("b"));
  ASSERT_EQ(broker_.Providers().size(), 1u);
  EXPECT_EQ(broker_.Providers()[0]->name, "b");
  std::shared_ptr<Session> after = Attach("vm-2");
  EXPECT_EQ(CallX0(broker_, after, kInA), smccc::kNotSupported);
  EXPECT_THAT(planned_with_a.reasons,
              ElementsAre(absl::AbortedError(
                  "a config reload removed provider \"a\" of this VM's plan: attach again for "
                  "the new plan")));
  EXPECT_EQ(broker_.FindSession(before->id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(a_->detached, ElementsAre("vm-1"));
  // Its name is free for the re-attach.
  EXPECT_THAT(RouteOwners(Attach("vm-1")->routes()), ElementsAre("b"));
}

TEST_F(BrokerTest, AReloadThatReplacesAProviderEndsItsSessionsAndKeepsTheOthers) {
  AddBoth();
  const auto only_b = [](std::string_view vm, std::string_view provider) {
    return vm != "b-only" || provider == "b";
  };
  ASSERT_TRUE(broker_.SetProviders(broker_.ProviderSetups(), {.plan = only_b}).ok());
  RecordingListener planned_with_a;
  RecordingListener planned_without_a;
  std::shared_ptr<Session> before = Attach("vm-1", &planned_with_a);
  std::shared_ptr<Session> unaffected = Attach("b-only", &planned_without_a);
  std::vector<Broker::ProviderSetup> setups = broker_.ProviderSetups();
  auto replacement = Entry(std::make_unique<AnsweringProvider>("a", std::vector{kRangeA}, 7));
  ASSERT_TRUE(broker_
                  .SetProviders({{replacement, replacement->provider->Claims()}, setups[1]},
                                {.plan = only_b})
                  .ok());

  EXPECT_THAT(planned_with_a.reasons,
              ElementsAre(absl::AbortedError(
                  "a config reload changed provider \"a\" of this VM's plan: attach again for "
                  "the new plan")));
  EXPECT_THAT(planned_without_a.reasons, IsEmpty());
  EXPECT_EQ(CallX0(broker_, unaffected, kInB), 2);
  std::shared_ptr<Session> after = Attach("vm-1");
  EXPECT_EQ(CallX0(broker_, after, kInA), 7);
  EXPECT_EQ(broker_.Providers()[0], replacement);
}

TEST_F(BrokerTest, AReloadWithARefusedClaimChangesNothing) {
  AddBoth();
  std::vector<Broker::ProviderSetup> setups = broker_.ProviderSetups();
  auto c = Entry(std::make_unique<AnsweringProvider>("c", std::vector{kRangeA}, 3));
  absl::Status overlap = broker_.SetProviders({{c, c->provider->Claims()}, setups[0]}, {});
  EXPECT_EQ(overlap.code(), absl::StatusCode::kAlreadyExists);
  // A claim on the Arm-architecture range KVM answers itself.
  absl::Status reserved = broker_.SetProviders({{c, {{{0x80000000, 0x80000001}, 0, {}}}}}, {});
  EXPECT_EQ(reserved.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reserved.message(), HasSubstr("provider \"c\""));

  EXPECT_THAT(RouteOwners(*broker_.Routes()), ElementsAre("a", "b"));
  EXPECT_EQ(broker_.Providers().size(), 2u);
  EXPECT_EQ(CallX0(broker_, Attach("vm-1"), kInA), 1);
}

TEST_F(BrokerTest, ThePlanPolicyKeepsProvidersFromTheVmsItNames) {
  AddBoth();
  ASSERT_TRUE(broker_
                  .SetProviders(broker_.ProviderSetups(),
                                {.plan =
                                     [](std::string_view vm, std::string_view provider) {
                                       return vm != "locked" || provider == "a";
                                     }})
                  .ok());
  std::shared_ptr<Session> locked = Attach("locked");
  EXPECT_THAT(RouteOwners(locked->routes()), ElementsAre("a"));
  EXPECT_EQ(CallX0(broker_, locked, kInB), smccc::kNotSupported);
  EXPECT_THAT(RouteOwners(Attach("open")->routes()), ElementsAre("a", "b"));

  // An empty policy lets every VM have every provider, from the next attach.
  ASSERT_TRUE(broker_.SetProviders(broker_.ProviderSetups(), {}).ok());
  EXPECT_THAT(RouteOwners(locked->routes()), ElementsAre("a"));
  broker_.EndSession(*locked, absl::OkStatus());
  EXPECT_THAT(RouteOwners(Attach("locked")->routes()), ElementsAre("a", "b"));
}

TEST_F(BrokerTest, TheAttachPolicyDecidesBeforeAnythingIsSaidOfTheName) {
  const base::PeerCredentials owner{.pid = 10, .uid = 3001, .gid = 3001};
  const base::PeerCredentials intruder{.pid = 20, .uid = 65534, .gid = 65534};
  Broker::VmPolicy policy;
  policy.attach = [](std::string_view vm, const std::optional<base::PeerCredentials>& peer) {
    if (vm == "mine" && !(peer.has_value() && peer->uid == 3001)) {
      return absl::PermissionDeniedError("not yours");
    }
    return absl::OkStatus();
  };
  ASSERT_TRUE(broker_.SetProviders(broker_.ProviderSetups(), std::move(policy)).ok());
  ASSERT_TRUE(broker_.Attach(Vm("mine"), "t", nullptr, owner).ok());
  // Refused as not allowed, not as taken (which would name the holder).
  EXPECT_EQ(broker_.Attach(Vm("mine"), "t", nullptr, intruder).status(),
            absl::PermissionDeniedError("not yours"));
  EXPECT_EQ(broker_.Attach(Vm("mine"), "t", nullptr).status(),
            absl::PermissionDeniedError("not yours"));
  EXPECT_TRUE(broker_.Attach(Vm("theirs"), "t", nullptr, intruder).ok());
}

// Routes and VM rules change in one step: with two configs that each give
// every VM exactly one provider (a reload swapping between them), no VM
// attaching meanwhile is planned with one's routes and the other's rules
// (which would give it none).
TEST_F(BrokerTest, AVmAttachingDuringAReloadGetsTheOldConfigOrTheNewNeverAMix) {
  // Named providers: thread-safe, and these VMs never call.
  const std::vector<Broker::ProviderSetup> just_a = {
      {core::Entry(std::string("a")), {{kRangeA, smccc::kAllArgRegisters, {}}}}};
  const std::vector<Broker::ProviderSetup> just_b = {
      {core::Entry(std::string("b")), {{kRangeB, smccc::kAllArgRegisters, {}}}}};
  const auto only = [](std::string name) {
    return [name](std::string_view, std::string_view provider) { return provider == name; };
  };
  ASSERT_TRUE(broker_.SetProviders(just_a, {.plan = only("a")}).ok());

  std::atomic<bool> done{false};
  std::atomic<int> mixed{0};
  std::atomic<int> attaches{0};
  std::vector<std::thread> vms;
  for (int t = 0; t < 2; ++t) {
    vms.emplace_back([&, t] {
      const std::string name = "vm-" + std::to_string(t);
      while (!done.load()) {
        absl::StatusOr<std::shared_ptr<Session>> session = broker_.Attach(Vm(name), "t", nullptr);
        if (!session.ok()) continue;
        if ((*session)->routes().routes().size() != 1) ++mixed;
        ++attaches;
        broker_.EndSession(**session, absl::OkStatus());
      }
    });
  }
  for (int i = 0; i < 20000 || attaches.load() < 5000; ++i) {
    ASSERT_TRUE((i % 2 == 0 ? broker_.SetProviders(just_b, {.plan = only("b")})
                            : broker_.SetProviders(just_a, {.plan = only("a")}))
                    .ok());
  }
  done = true;
  for (std::thread& vm : vms) vm.join();
  EXPECT_EQ(mixed.load(), 0) << "of " << attaches.load() << " attaches";
}

TEST_F(BrokerTest, AttachRefusesBadVmsLiveNamesAndSessionsOverTheLimit) {
  Broker broker({.max_sessions = 1});
  VmDescription nameless = Vm("");
  EXPECT_EQ(broker.Attach(nameless, "t", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(broker.Attach(Vm("vm-1"), "t", nullptr).ok());
  EXPECT_EQ(broker.Attach(Vm("vm-1"), "t", nullptr).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(broker.Attach(Vm("vm-2"), "t", nullptr).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(broker.Stats().sessions, 1u);
}

TEST_F(BrokerTest, SessionsAreFoundByIdUntilTheyEnd) {
  std::shared_ptr<Session> session = Attach("vm-1");
  absl::StatusOr<std::shared_ptr<Session>> found = broker_.FindSession(session->id());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, session);
  EXPECT_THAT(broker_.Sessions(), ElementsAre(session));

  absl::StatusOr<std::shared_ptr<Session>> missing = broker_.FindSession("nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "no live session 'nope': attach first (SessionRequest.attach) and use the "
            "session_id from Attached");

  broker_.EndSession(*session, absl::OkStatus());
  EXPECT_EQ(broker_.FindSession(session->id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(broker_.Sessions(), IsEmpty());
}

TEST_F(BrokerTest, EndingASessionTellsItsOwnerAndEachPlannedProviderOnce) {
  AddBoth();
  // "two" owns two ranges of the session's plan, "a" one, "b" none.
  auto two = std::make_unique<AnsweringProvider>(
      "two", std::vector<smccc::FunctionRange>{{0xc6000000, 0xc6000001}, {0x86000000, 0x86000001}},
      4);
  AnsweringProvider* two_ranges = two.get();
  ASSERT_TRUE(broker_.AddProvider(std::move(two), "builtin").ok());
  ASSERT_TRUE(broker_
                  .SetProviders(broker_.ProviderSetups(),
                                {.plan = [](std::string_view,
                                            std::string_view provider) { return provider != "b"; }})
                  .ok());
  RecordingListener owner;
  std::shared_ptr<Session> session = Attach("vm-1", &owner);
  const absl::Status reason = absl::CancelledError("VMM went away");

  broker_.EndSession(*session, reason);
  broker_.EndSession(*session, absl::OkStatus());  // Idempotent.

  EXPECT_THAT(owner.reasons, ElementsAre(reason));
  EXPECT_THAT(two_ranges->detached, ElementsAre("vm-1"));
  EXPECT_THAT(a_->detached, ElementsAre("vm-1"));
  EXPECT_THAT(b_->detached, IsEmpty());
  EXPECT_EQ(broker_.Stats().sessions, 0u);
  // The name is free again.
  EXPECT_NE(Attach("vm-1"), nullptr);
}

TEST_F(BrokerTest, VcpuStreamsAreCountedWhileOpen) {
  std::shared_ptr<Session> session = Attach("vm-1");
  RecordingListener vcpu;
  ASSERT_TRUE(broker_.OpenVcpu(*session, 1, &vcpu).ok());
  EXPECT_EQ(broker_.OpenVcpu(*session, 1, &vcpu).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(broker_.OpenVcpu(*session, 2, &vcpu).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(broker_.Stats().vcpu_streams, 1u);
  EXPECT_EQ(session->vcpus_connected(), 1u);
  broker_.CloseVcpu(*session, 1);
  EXPECT_EQ(broker_.Stats().vcpu_streams, 0u);
  EXPECT_EQ(session->vcpus_connected(), 0u);
}

TEST_F(BrokerTest, CountersReachTheStatusView) {
  broker_.CountCall(/*unowned=*/false);
  broker_.CountCall(/*unowned=*/true);
  broker_.CountProtocolError();
  BrokerStats stats = broker_.Stats();
  EXPECT_EQ(stats.calls_total, 2u);
  EXPECT_EQ(stats.calls_unowned, 1u);
  EXPECT_EQ(stats.protocol_errors, 1u);
}

TEST_F(BrokerTest, TraceWatchersAreLimitedByTheOptions) {
  Broker broker({.max_trace_watchers = 1});
  absl::StatusOr<std::shared_ptr<TraceWatcher>> first = broker.trace().Watch("");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(broker.trace().Watch("vm-1").status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(broker.Stats().trace_watchers, 1u);
}

TEST_F(BrokerTest, ShutdownEndsEverySessionAndRefusesNewOnes) {
  AddBoth();
  RecordingListener owner1;
  RecordingListener owner2;
  Attach("vm-1", &owner1);
  Attach("vm-2", &owner2);
  absl::StatusOr<std::shared_ptr<TraceWatcher>> watcher = broker_.trace().Watch("");
  ASSERT_TRUE(watcher.ok());

  broker_.Shutdown();

  ASSERT_EQ(owner1.reasons.size(), 1u);
  EXPECT_EQ(owner1.reasons[0], absl::UnavailableError("hypercalld is shutting down"));
  EXPECT_EQ(owner2.reasons.size(), 1u);
  EXPECT_THAT(a_->detached, UnorderedElementsAre("vm-1", "vm-2"));
  EXPECT_THAT(broker_.Sessions(), IsEmpty());
  EXPECT_TRUE((*watcher)->closed());
  EXPECT_EQ(broker_.Attach(Vm("vm-3"), "t", nullptr).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(broker_.trace().Watch("").status().code(), absl::StatusCode::kUnavailable);
}

// The names live sessions hold are in the held-names file as sessions come
// and go, and stay there through Shutdown; a broker made on that file keeps
// each name for its VMM for the grace period.
class BrokerRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercall-broker-restart-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    me_ = {.pid = getpid(),
           .uid = getuid(),
           .gid = getgid(),
           .start_time = base::ProcessStartTime(getpid()).value()};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  BrokerOptions Options() {
    return {.held_names_path = dir_ + "/held-vm-names",
            .restart_grace = std::chrono::seconds(5),
            .clock = &clock_};
  }
  std::vector<HeldName> Held() {
    absl::StatusOr<std::string> text = ReadHeldNamesFile(dir_ + "/held-vm-names");
    return text.ok() ? ParseHeldNames(*text).names : std::vector<HeldName>{};
  }

  std::string dir_;
  base::PeerCredentials me_;
  testing::FakeClock clock_;
};

MATCHER_P(Named, name, "") { return arg.name == name; }

TEST_F(BrokerRestartTest, TheFileFollowsTheSessionsAndOutlivesShutdown) {
  {
    Broker broker(Options());
    absl::StatusOr<std::shared_ptr<Session>> kept = broker.Attach(Vm("kept"), "t", nullptr, me_);
    absl::StatusOr<std::shared_ptr<Session>> gone = broker.Attach(Vm("gone"), "t", nullptr, me_);
    ASSERT_TRUE(kept.ok() && gone.ok());
    // A session of an unknown process has nobody to keep its name for.
    ASSERT_TRUE(broker.Attach(Vm("anonymous"), "t", nullptr).ok());
    EXPECT_THAT(Held(), UnorderedElementsAre(Named("kept"), Named("gone")));
    broker.EndSession(**gone, absl::OkStatus());
    EXPECT_THAT(Held(), ElementsAre(Named("kept")));
    broker.Shutdown();
    EXPECT_THAT(Held(), ElementsAre(Named("kept")));
  }

  Broker restarted(Options());
  base::PeerCredentials intruder = me_;
  intruder.uid = 65534;
  EXPECT_EQ(restarted.Attach(Vm("kept"), "t", nullptr, intruder).status().code(),
            absl::StatusCode::kUnavailable);
  // Files written before the VMM is back keep its name, for a restart then.
  EXPECT_TRUE(restarted.Attach(Vm("other"), "t", nullptr, intruder).ok());
  EXPECT_THAT(Held(), UnorderedElementsAre(Named("kept"), Named("other")));
  EXPECT_TRUE(restarted.Attach(Vm("kept"), "t", nullptr, me_).ok());
}

TEST_F(BrokerRestartTest, AfterTheGracePeriodANameIsFreeForAnyone) {
  {
    Broker broker(Options());
    ASSERT_TRUE(broker.Attach(Vm("kept"), "t", nullptr, me_).ok());
    broker.Shutdown();
  }
  Broker restarted(Options());
  base::PeerCredentials intruder = me_;
  intruder.uid = 65534;
  EXPECT_FALSE(restarted.Attach(Vm("kept"), "t", nullptr, intruder).ok());
  clock_.Advance(absl::Seconds(5));
  EXPECT_TRUE(restarted.Attach(Vm("kept"), "t", nullptr, intruder).ok());
}

}  // namespace
}  // namespace hypercall::core
