// Who may serve an external provider: the config's uids and gids against the
// kernel-reported peer, supplementary groups included; and the streams a
// reload must end.
#include "service/external_providers.h"

#include "gtest/gtest.h"

namespace hypercall::service {
namespace {

// A peer running as root, in no supplementary group.
const base::PeerCredentials kRoot{};

// Only its name matters to the table.
class NamedProvider final : public provider::Provider {
 public:
  std::string_view name() const override { return "sensor"; }
  std::vector<provider::RangeClaim> Claims() const override { return {}; }
  void Handle(const provider::CallContext&, const smccc::Call&,
              provider::Completion& done) override {
    done.Complete(smccc::Result::Code(-1));
  }
};

// Fills `table` with the provider "sensor", served by `uids` and `gids`.
void Allow(ExternalProviderTable& table, std::vector<uid_t> uids, std::vector<gid_t> gids) {
  ExternalProvider sensor;
  sensor.entry =
      std::make_shared<core::ProviderEntry>(std::make_unique<NamedProvider>(), "external");
  sensor.allow_uid = std::move(uids);
  sensor.allow_gid = std::move(gids);
  table.Replace({sensor});
}

TEST(ExternalProviderTableTest, AUidOrAnyGroupOfThePeerMayServe) {
  ExternalProviderTable table;
  Allow(table, {1001}, {2002});
  EXPECT_TRUE(table.Authorize("sensor", {.pid = 1, .uid = 1001, .gid = 5, .groups = {}}).ok());
  EXPECT_TRUE(table.Authorize("sensor", {.pid = 1, .uid = 7, .gid = 2002, .groups = {}}).ok());
  EXPECT_TRUE(
      table.Authorize("sensor", {.pid = 1, .uid = 7, .gid = 5, .groups = {10, 2002, 3000}}).ok());
}

TEST(ExternalProviderTableTest, APeerInNoAllowedGroupIsToldWhoMayServe) {
  ExternalProviderTable table;
  Allow(table, {1001}, {2002});
  absl::StatusOr<ExternalProvider> refused =
      table.Authorize("sensor", {.pid = 1, .uid = 7, .gid = 5, .groups = {10, 3000}});
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(),
            "uid 7 gid 5 (supplementary groups [10, 3000]) may not serve provider \"sensor\": "
            "the config allows uid [1001] and gid [2002]");
}

TEST(ExternalProviderTableTest, AnUnknownNameListsTheConfiguredOnes) {
  ExternalProviderTable table;
  Allow(table, {0}, {});
  absl::StatusOr<ExternalProvider> refused = table.Authorize("other", {.uid = 0, .groups = {}});
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(refused.status().message().find("it lists sensor"), std::string::npos);
}

// Records how the table told it to end.
class RecordingServer final : public ProviderServer {
 public:
  void EndServing(const absl::Status& status) override { ended.push_back(status); }
  std::vector<absl::Status> ended;
};

TEST(ExternalProviderTableTest, AReplaceEndsTheServersOfProvidersItDropsOnly) {
  ExternalProviderTable table;
  Allow(table, {0}, {});
  RecordingServer kept, changed, removed;
  ASSERT_TRUE(table.Authorize("sensor", kRoot, &kept).ok());

  // The same entries again: nobody is told anything.
  ExternalProvider same = *table.Authorize("sensor", kRoot);
  table.Replace({same});
  EXPECT_TRUE(kept.ended.empty());

  // A new entry under the same name: "changed".
  ASSERT_TRUE(table.Authorize("sensor", kRoot, &changed).ok());
  Allow(table, {0}, {});
  ASSERT_EQ(kept.ended.size(), 1u);
  ASSERT_EQ(changed.ended.size(), 1u);
  EXPECT_EQ(changed.ended[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(changed.ended[0].message(),
            "a config reload changed provider \"sensor\": connect again to serve it as "
            "configured");

  // Gone: "removed"; a server that unwatched first is not told.
  ASSERT_TRUE(table.Authorize("sensor", kRoot, &removed).ok());
  RecordingServer left;
  ASSERT_TRUE(table.Authorize("sensor", kRoot, &left).ok());
  table.Unwatch(&left);
  table.Replace({});
  ASSERT_EQ(removed.ended.size(), 1u);
  EXPECT_EQ(removed.ended[0].message(), "a config reload removed provider \"sensor\"");
  EXPECT_TRUE(left.ended.empty());
  EXPECT_EQ(changed.ended.size(), 1u);  // Told once, then forgotten.
}

TEST(ExternalProviderTableTest, AReplaceEndsTheServersWhoseProcessTheAllowListsNoLongerName) {
  ExternalProviderTable table;
  Allow(table, {1001, 1002}, {});
  const base::PeerCredentials dropped{.pid = 10, .uid = 1001, .gid = 5, .groups = {}};
  const base::PeerCredentials kept_peer{.pid = 11, .uid = 1002, .gid = 5, .groups = {}};
  RecordingServer dropped_server, kept_server;
  ASSERT_TRUE(table.Authorize("sensor", dropped, &dropped_server).ok());
  ASSERT_TRUE(table.Authorize("sensor", kept_peer, &kept_server).ok());

  // The same provider entry, now served by uid 1002 only.
  ExternalProvider same = *table.Authorize("sensor", kept_peer);
  same.allow_uid = {1002};
  table.Replace({same});
  ASSERT_EQ(dropped_server.ended.size(), 1u);
  EXPECT_EQ(dropped_server.ended[0].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(dropped_server.ended[0].message(),
            "a config reload changed who may serve: uid 1001 gid 5 (supplementary groups []) may "
            "not serve provider \"sensor\": the config allows uid [1002] and gid []");
  EXPECT_TRUE(kept_server.ended.empty());
  EXPECT_EQ(table.Authorize("sensor", dropped).status().code(),
            absl::StatusCode::kPermissionDenied);

  // Told once: a later replace does not tell it again.
  table.Replace({same});
  EXPECT_EQ(dropped_server.ended.size(), 1u);
  EXPECT_TRUE(kept_server.ended.empty());
}

}  // namespace
}  // namespace hypercall::service
