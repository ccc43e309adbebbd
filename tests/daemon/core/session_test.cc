#include "core/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/session_registry.h"
#include "core/vm_description.h"
#include "named_provider.h"

namespace hypercall::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

VmDescription GoodVm(const std::string& name = "vm-1") {
  return {.name = name,
          .uuid = std::string(16, 'u'),
          .vcpu_count = 4,
          .ram = {{0x40000000, 0x10000000}, {0x80000000, 0x1000}},
          .stolen_time = {0x090a0000, 0x10000}};
}

class RecordingListener final : public SessionListener {
 public:
  void OnSessionClosed(const absl::Status& reason) override {
    ++calls;
    last = reason;
  }
  int calls = 0;
  absl::Status last;
};

std::shared_ptr<const RangeTable> NoRoutes() { return std::make_shared<const RangeTable>(); }

TEST(VmDescriptionTest, AcceptsAGoodVm) { EXPECT_TRUE(Validate(GoodVm()).ok()); }

TEST(VmDescriptionTest, NamesTheFieldThatIsWrong) {
  struct Case {
    std::function<void(VmDescription&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](VmDescription& vm) { vm.name = ""; }, "vm.name"},
      {[](VmDescription& vm) { vm.name = std::string(65, 'a'); }, "vm.name"},
      {[](VmDescription& vm) { vm.name = "has space"; }, "vm.name"},
      {[](VmDescription& vm) { vm.name = "slash/y"; }, "vm.name"},
      {[](VmDescription& vm) { vm.uuid = "short"; }, "vm.uuid"},
      {[](VmDescription& vm) { vm.vcpu_count = 0; }, "vm.vcpu_count"},
      {[](VmDescription& vm) { vm.vcpu_count = 513; }, "vm.vcpu_count"},
      {[](VmDescription& vm) {
         vm.ram.assign(65, {0, 1});
       },
       "vm.ram has 65 regions"},
      {[](VmDescription& vm) { vm.ram[1].size = 0; }, "vm.ram[1].size"},
      {[](VmDescription& vm) {
         vm.ram[1] = {0x4fffffff, 2};
       },
       "vm.ram[1] overlaps vm.ram[0]"},
      {[](VmDescription& vm) {
         vm.ram[0] = {~0ull, 2};
       },
       "vm.ram[0]"},
      {[](VmDescription& vm) { vm.stolen_time.guest_phys_addr += 8; },
       "vm.stolen_time.guest_phys_addr 0x90a0008 must be 64-byte aligned"},
      {[](VmDescription& vm) { vm.stolen_time.size = 0; },
       "vm.stolen_time is at 0x90a0000 but its size is 0"},
      {[](VmDescription& vm) { vm.stolen_time.size = 64 * 4 - 1; },
       "vm.stolen_time has 255 bytes, too few for 4 vCPUs"},
      {[](VmDescription& vm) {
         vm.stolen_time = {~0ull - 63, 128};
       },
       "vm.stolen_time (0xffffffffffffffc0 + 0x80 bytes) runs past the end"},
  };
  for (const Case& c : cases) {
    VmDescription vm = GoodVm();
    c.spoil(vm);
    absl::Status status = Validate(vm);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
  // The limits themselves are fine.
  VmDescription edge = GoodVm(std::string(64, 'Z'));
  edge.uuid.clear();
  edge.vcpu_count = 512;
  edge.ram = {{~0ull, 1}};
  edge.stolen_time = {~0ull - 64 * 512 + 1, 64 * 512};
  EXPECT_TRUE(Validate(edge).ok()) << Validate(edge);
  edge.stolen_time = {};
  EXPECT_TRUE(Validate(edge).ok()) << Validate(edge);
}

// Records are planned only when the routes forward PV_TIME_ST and the VM
// gave a region: one per vCPU, 64 bytes apart.
TEST(SessionTest, PlansStolenTimeRecordsOnlyWithPvTimeAndARegion) {
  auto pv_time = std::make_shared<RangeTable>();
  ASSERT_TRUE(pv_time->Insert({{0xc5000020, 0xc5000021}, 0x2, Entry("pvtime"), {}}).ok());

  Session planned("s-1", GoodVm(), "test/1", pv_time, nullptr);
  EXPECT_THAT(planned.stolen_time_records(),
              ElementsAre(0x090a0000, 0x090a0040, 0x090a0080, 0x090a00c0));
  EXPECT_EQ(planned.stolen_time_record(3), 0x090a00c0u);
  EXPECT_EQ(planned.stolen_time_record(4), 0u);

  VmDescription no_region = GoodVm("vm-2");
  no_region.stolen_time = {};
  Session without_region("s-2", no_region, "test/1", pv_time, nullptr);
  EXPECT_THAT(without_region.stolen_time_records(), IsEmpty());
  EXPECT_EQ(without_region.stolen_time_record(0), 0u);

  Session without_pv_time("s-3", GoodVm("vm-3"), "test/1", NoRoutes(), nullptr);
  EXPECT_THAT(without_pv_time.stolen_time_records(), IsEmpty());
}

TEST(SessionTest, OneStreamPerVcpu) {
  Session session("s-1", GoodVm(), "test/1", NoRoutes(), nullptr);
  RecordingListener a, b;
  EXPECT_TRUE(session.OpenVcpu(0, &a).ok());
  absl::Status again = session.OpenVcpu(0, &b);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("vCPU 0"));
  absl::Status out_of_range = session.OpenVcpu(4, &b);
  EXPECT_EQ(out_of_range.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out_of_range.message(), HasSubstr("0..3"));
  EXPECT_EQ(session.vcpus_connected(), 1u);
  session.CloseVcpu(0);
  EXPECT_EQ(session.vcpus_connected(), 0u);
  EXPECT_TRUE(session.OpenVcpu(0, &b).ok());
}

TEST(SessionTest, OnlyTheAttachingProcessOpensItsVcpus) {
  const base::PeerCredentials vmm{.pid = 100, .uid = 3001, .gid = 3001, .groups = {}};
  Session session("s-1", GoodVm(), "test/1", NoRoutes(), nullptr, vmm);
  RecordingListener listener;
  base::PeerCredentials other_pid = vmm;
  other_pid.pid = 101;
  base::PeerCredentials other_uid = vmm;
  other_uid.uid = 3002;
  for (const std::optional<base::PeerCredentials>& intruder :
       {std::optional<base::PeerCredentials>(other_pid),
        std::optional<base::PeerCredentials>(other_uid), std::optional<base::PeerCredentials>()}) {
    const absl::Status refused = session.OpenVcpu(0, &listener, intruder);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
    // Nothing of the session is told: not its VM, not its vCPUs.
    EXPECT_THAT(refused.message(), ::testing::Not(HasSubstr("vm-1")));
  }
  EXPECT_EQ(session.vcpus_connected(), 0u);
  // Another connection of the same process (a new gid is no matter).
  base::PeerCredentials same = vmm;
  same.gid = 4000;
  EXPECT_TRUE(session.OpenVcpu(0, &listener, same).ok());
  EXPECT_EQ(session.vcpus_connected(), 1u);

  // A session the daemon knows no process of (in-process tests) takes any.
  Session unknown("s-2", GoodVm("vm-2"), "test/1", NoRoutes(), nullptr);
  EXPECT_TRUE(unknown.OpenVcpu(0, &listener, other_uid).ok());
}

TEST(SessionTest, CloseTellsEveryListenerOnceAndRefusesNewVcpus) {
  RecordingListener owner, vcpu0, vcpu2, gone;
  Session session("s-1", GoodVm(), "test/1", NoRoutes(), &owner);
  ASSERT_TRUE(session.OpenVcpu(0, &vcpu0).ok());
  ASSERT_TRUE(session.OpenVcpu(2, &vcpu2).ok());
  ASSERT_TRUE(session.OpenVcpu(3, &gone).ok());
  session.CloseVcpu(3);
  EXPECT_TRUE(session.Close(absl::UnavailableError("stopping")));
  EXPECT_FALSE(session.Close(absl::OkStatus()));
  for (RecordingListener* l : {&owner, &vcpu0, &vcpu2}) {
    EXPECT_EQ(l->calls, 1);
    EXPECT_EQ(l->last.code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(gone.calls, 0);
  EXPECT_EQ(session.OpenVcpu(1, &gone).code(), absl::StatusCode::kNotFound);
}

TEST(SessionTest, DetachedOwnerIsNotTold) {
  RecordingListener owner;
  Session session("s-1", GoodVm(), "test/1", NoRoutes(), &owner);
  session.DetachOwner();
  session.Close(absl::OkStatus());
  EXPECT_EQ(owner.calls, 0);
}

TEST(SessionRegistryTest, AddsFindsAndRemoves) {
  SessionRegistry registry(8, 8);
  auto session = registry.Add(GoodVm(), "test/1", NoRoutes(), nullptr);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_THAT((*session)->id(), ::testing::StartsWith("s-"));
  EXPECT_EQ(registry.Find((*session)->id()), *session);
  EXPECT_EQ(registry.Find("s-nope"), nullptr);
  EXPECT_EQ(registry.size(), 1u);
  registry.Remove(**session);
  EXPECT_EQ(registry.Find((*session)->id()), nullptr);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(SessionRegistryTest, RefusesALiveNameUntilItIsRemoved) {
  SessionRegistry registry(8, 8);
  const base::PeerCredentials vmm{.pid = 100, .uid = 3001, .gid = 3001, .groups = {}};
  auto first = registry.Add(GoodVm("same"), "test/1", NoRoutes(), nullptr, vmm);
  ASSERT_TRUE(first.ok());
  auto second = registry.Add(GoodVm("same"), "test/1", NoRoutes(), nullptr);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  // Who holds the name, but not the session id.
  EXPECT_EQ(second.status().message(),
            "VM 'same' is already attached by the VMM pid 100 uid 3001 gid 3001: VM names must be "
            "unique among live sessions");
  EXPECT_THAT(second.status().message(), ::testing::Not(HasSubstr((*first)->id())));
  registry.Remove(**first);
  EXPECT_TRUE(registry.Add(GoodVm("same"), "test/1", NoRoutes(), nullptr).ok());
}

TEST(SessionRegistryTest, RefusesInvalidVms) {
  SessionRegistry registry(8, 8);
  VmDescription vm = GoodVm();
  vm.vcpu_count = 0;
  auto session = registry.Add(vm, "test/1", NoRoutes(), nullptr);
  EXPECT_EQ(session.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(SessionRegistryTest, EnforcesTheSessionLimit) {
  SessionRegistry registry(2, 2);
  ASSERT_TRUE(registry.Add(GoodVm("a"), "", NoRoutes(), nullptr).ok());
  ASSERT_TRUE(registry.Add(GoodVm("b"), "", NoRoutes(), nullptr).ok());
  auto third = registry.Add(GoodVm("c"), "", NoRoutes(), nullptr);
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(third.status().message(), HasSubstr("limits.max_sessions"));
}

TEST(SessionRegistryTest, EnforcesTheSessionLimitPerUidOfTheVmm) {
  SessionRegistry registry(8, 2);
  const base::PeerCredentials greedy{.pid = 100, .uid = 3001, .gid = 3001, .groups = {}};
  const base::PeerCredentials other{.pid = 200, .uid = 3002, .gid = 3002, .groups = {}};
  auto a = registry.Add(GoodVm("a"), "", NoRoutes(), nullptr, greedy);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(registry.Add(GoodVm("b"), "", NoRoutes(), nullptr, greedy).ok());
  auto third = registry.Add(GoodVm("c"), "", NoRoutes(), nullptr, greedy);
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(third.status().message(),
            "session limit per uid reached: uid 3001 has 2 live sessions "
            "(limits.max_sessions_per_uid)");
  // Another uid is not held back by it, and a removed session frees a place.
  EXPECT_TRUE(registry.Add(GoodVm("d"), "", NoRoutes(), nullptr, other).ok());
  registry.Remove(**a);
  EXPECT_TRUE(registry.Add(GoodVm("c"), "", NoRoutes(), nullptr, greedy).ok());
}

TEST(SessionRegistryTest, CloseAllEmptiesAndRefusesNewSessions) {
  SessionRegistry registry(8, 8);
  ASSERT_TRUE(registry.Add(GoodVm("a"), "", NoRoutes(), nullptr).ok());
  ASSERT_TRUE(registry.Add(GoodVm("b"), "", NoRoutes(), nullptr).ok());
  EXPECT_EQ(registry.CloseAll().size(), 2u);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.Add(GoodVm("c"), "", NoRoutes(), nullptr).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace hypercall::core
