// The one table of limits (config/limits.h): it covers every field of
// config.proto's Limits, its defaults are within their ranges and are what
// the daemon runs on without a config, the broker's own defaults agree, and
// daemon/README.md lists each with its default and range.
#include "config/limits.h"

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_format.h"
#include "core/broker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::config {
namespace {

TEST(LimitsTest, TheTableCoversEveryFieldOfTheLimitsMessageOnce) {
  const google::protobuf::Descriptor& descriptor = *v1::Limits::descriptor();
  std::set<std::string> names;
  for (const Limit& limit : AllLimits()) {
    EXPECT_TRUE(names.insert(std::string(limit.name)).second) << limit.name;
    const google::protobuf::FieldDescriptor* field =
        descriptor.FindFieldByName(std::string(limit.name));
    ASSERT_NE(field, nullptr) << limit.name << " is not a field of Limits";
    EXPECT_EQ(field->cpp_type(), google::protobuf::FieldDescriptor::CPPTYPE_UINT32) << limit.name;
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(descriptor.field_count()));
}

TEST(LimitsTest, DefaultsAreWithinTheirRangesAndInForceWithoutAConfig) {
  const LimitsInForce defaults = InForce(v1::Limits());
  for (const Limit& limit : AllLimits()) {
    EXPECT_LE(limit.min, limit.default_value) << limit.name;
    EXPECT_LE(limit.default_value, limit.max) << limit.name;
    EXPECT_EQ(defaults.*limit.in_force, limit.default_value) << limit.name;
  }
}

TEST(LimitsTest, AValueTheConfigSetsIsInForce) {
  v1::Limits limits;
  limits.set_call_deadline_ms(250);
  limits.set_max_trace_watchers(3);
  const LimitsInForce in_force = InForce(limits);
  EXPECT_EQ(in_force.call_deadline_ms, 250u);
  EXPECT_EQ(in_force.max_trace_watchers, 3u);
  EXPECT_EQ(in_force.max_sessions, 256u);
}

TEST(LimitsTest, TheBrokersOwnDefaultsAreTheTables) {
  const LimitsInForce defaults = InForce(v1::Limits());
  const core::BrokerOptions broker;
  EXPECT_EQ(broker.max_sessions, defaults.max_sessions);
  EXPECT_EQ(broker.max_sessions_per_uid, defaults.max_sessions_per_uid);
  EXPECT_EQ(broker.restart_grace, std::chrono::milliseconds(defaults.restart_grace_ms));
  EXPECT_EQ(broker.max_trace_watchers, defaults.max_trace_watchers);
  EXPECT_EQ(broker.call_deadline, std::chrono::milliseconds(defaults.call_deadline_ms));
}

TEST(LimitsTest, OnePeerCannotTakeAllOfAGlobalLimitByDefault) {
  const LimitsInForce defaults = InForce(v1::Limits());
  EXPECT_LT(defaults.max_sessions_per_uid, defaults.max_sessions);
  EXPECT_LT(defaults.max_provider_streams_per_uid, defaults.max_providers);
}

TEST(LimitsTest, TheDaemonReadmeListsEveryLimitWithItsDefaultAndRange) {
  std::ifstream file(HYPERCALL_DAEMON_README);
  ASSERT_TRUE(file) << HYPERCALL_DAEMON_README;
  std::stringstream readme;
  readme << file.rdbuf();
  for (const Limit& limit : AllLimits()) {
    EXPECT_THAT(readme.str(), ::testing::HasSubstr(absl::StrFormat(
                                  "| `%s` | %u | %u-%u | %s |", limit.name, limit.default_value,
                                  limit.min, limit.max, limit.bounds)));
  }
}

}  // namespace
}  // namespace hypercall::config
