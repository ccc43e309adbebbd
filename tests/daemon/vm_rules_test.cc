// The config's VM rules as the broker's policies: the first rule whose
// pattern matches decides both the plan and who may attach; a rule that
// names uids, gids or units lets in only a VMM matching one, and its refusal
// names the rule and the peer.
#include "vm_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/text_format.h"

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

config::v1::Config Parse(const std::string& text) {
  config::v1::Config config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

const base::PeerCredentials kTenantA{.pid = 10, .uid = 3001, .gid = 3001};
const base::PeerCredentials kNobody{.pid = 20, .uid = 65534, .gid = 65534};

TEST(VmRulesTest, WithoutIdentityListsAnyoneMayAttach) {
  EXPECT_FALSE(VmRulePolicy(config::v1::Config()).attach);
  const core::Broker::VmPolicy policies =
      VmRulePolicy(Parse("version: 1 vm { name: \"*\" provider: \"trng\" }"));
  EXPECT_FALSE(policies.attach);
  EXPECT_TRUE(policies.plan("any", "trng"));
  EXPECT_FALSE(policies.plan("any", "probe"));
}

TEST(VmRulesTest, ARuleWithUidsLetsOnlyThoseAttachItsVms) {
  const core::Broker::VmPolicy policies = VmRulePolicy(
      Parse("version: 1 vm { name: \"tenant-a-*\" provider: \"trng\" allow_uid: 3001 }\n"
            "vm { name: \"*\" provider: \"trng\" }"));
  ASSERT_TRUE(policies.attach);
  EXPECT_TRUE(policies.attach("tenant-a-1", kTenantA).ok());
  const absl::Status refused = policies.attach("tenant-a-1", kNobody);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(),
            "VM 'tenant-a-1' may not be attached by uid 65534 (gid 65534, in no unit): the rule "
            "for 'tenant-a-*' allows uid 3001");
  EXPECT_EQ(policies.attach("tenant-a-1", std::nullopt).code(),
            absl::StatusCode::kPermissionDenied);
  // Other VMs are decided by the next rule, which names nobody.
  EXPECT_TRUE(policies.attach("tenant-b-1", kNobody).ok());
  EXPECT_TRUE(policies.attach("tenant-b-1", std::nullopt).ok());
}

TEST(VmRulesTest, AGroupOrAUnitListedLetsTheVmmIn) {
  const core::Broker::VmPolicy policies = VmRulePolicy(
      Parse("version: 1 vm { name: \"a-*\" allow_uid: 1 allow_gid: 4000 allow_gid: 4001\n"
            "  allow_unit: \"qemu-a.service\" }"));
  base::PeerCredentials by_group = kNobody;
  by_group.groups = {27, 4001};
  EXPECT_TRUE(policies.attach("a-1", by_group).ok());
  base::PeerCredentials by_primary = kNobody;
  by_primary.gid = 4000;
  EXPECT_TRUE(policies.attach("a-1", by_primary).ok());
  base::PeerCredentials by_unit = kNobody;
  by_unit.unit = "qemu-a.service";
  EXPECT_TRUE(policies.attach("a-1", by_unit).ok());
  base::PeerCredentials elsewhere = kNobody;
  elsewhere.unit = "qemu-b.service";
  elsewhere.groups = {27};
  EXPECT_EQ(policies.attach("a-1", elsewhere).message(),
            "VM 'a-1' may not be attached by uid 65534 (gid 65534, groups 27, unit "
            "qemu-b.service): the rule for 'a-*' allows uid 1; gid 4000, 4001; unit "
            "qemu-a.service");
}

TEST(VmRulesTest, TheFirstMatchingRuleDecidesEvenWhenALaterOneWouldAllow) {
  const core::Broker::VmPolicy policies =
      VmRulePolicy(Parse("version: 1 vm { name: \"vm-1\" allow_uid: 3001 }\n"
                         "vm { name: \"vm-*\" allow_uid: 65534 provider: \"trng\" }"));
  EXPECT_THAT(std::string(policies.attach("vm-1", kNobody).message()),
              HasSubstr("the rule for 'vm-1' allows uid 3001"));
  EXPECT_TRUE(policies.attach("vm-2", kNobody).ok());
  EXPECT_FALSE(policies.plan("vm-1", "trng"));
  EXPECT_TRUE(policies.plan("vm-2", "trng"));
}

}  // namespace
}  // namespace hypercall::daemon
