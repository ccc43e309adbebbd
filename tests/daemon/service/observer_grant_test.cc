// Who sees registers in traces: by uid, by primary or supplementary group,
// nobody by default (root included) and nobody whose identity is unknown.
#include "service/observer_grant.h"

#include <gtest/gtest.h>

namespace hypercall::service {
namespace {

base::PeerCredentials Peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
  return {.pid = 100, .uid = uid, .gid = gid, .groups = std::move(groups)};
}

TEST(ObserverGrantTest, NobodyByDefaultNotEvenRoot) {
  ObserverGrant grant;
  EXPECT_FALSE(grant.SeesRegisters(Peer(0, 0)));
  EXPECT_FALSE(grant.SeesRegisters(Peer(1000, 1000)));
  EXPECT_FALSE(grant.SeesRegisters(std::nullopt));
}

TEST(ObserverGrantTest, ByUidOrAnyOfItsGroups) {
  ObserverGrant grant;
  grant.Replace({1000}, {4343});
  EXPECT_TRUE(grant.SeesRegisters(Peer(1000, 1000)));
  EXPECT_TRUE(grant.SeesRegisters(Peer(2000, 4343)));
  EXPECT_TRUE(grant.SeesRegisters(Peer(2000, 2000, {27, 4343})));
  EXPECT_FALSE(grant.SeesRegisters(Peer(2000, 2000, {27})));
  EXPECT_FALSE(grant.SeesRegisters(Peer(0, 0)));
  EXPECT_FALSE(grant.SeesRegisters(std::nullopt));
}

TEST(ObserverGrantTest, ReplacingTakesAGrantAway) {
  ObserverGrant grant;
  grant.Replace({1000}, {});
  ASSERT_TRUE(grant.SeesRegisters(Peer(1000, 1000)));
  grant.Replace({}, {});
  EXPECT_FALSE(grant.SeesRegisters(Peer(1000, 1000)));
}

}  // namespace
}  // namespace hypercall::service
