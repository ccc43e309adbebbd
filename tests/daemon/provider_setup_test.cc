// What a reload keeps: a built-in provider made with the same options is
// the running one (its state kept); one whose options changed, or gained or
// lost a block, is made anew.
#include "provider_setup.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/builtin_options.h"
#include "google/protobuf/text_format.h"
#include "providers/provider_registry.h"

namespace hypercall::daemon {
namespace {

config::v1::Config Parse(const std::string& text) {
  config::v1::Config config;
  const config::BuiltinCatalog catalog = providers::Catalog();
  const config::OptionsTypeFinder finder(catalog);
  google::protobuf::TextFormat::Parser parser;
  parser.SetFinder(&finder);
  EXPECT_TRUE(parser.ParseFromString(text, &config)) << text;
  return config;
}

// The entry for `name` after setting up `text` over `running`.
std::shared_ptr<core::ProviderEntry> EntryAfter(const std::string& text, const std::string& name,
                                                std::vector<core::Broker::ProviderSetup>& running) {
  base::CallTimer timer;
  absl::StatusOr<ProviderSet> set = SetUpProviders(Parse(text), std::nullopt, running, timer);
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return nullptr;
  running = set->providers;
  for (const core::Broker::ProviderSetup& setup : set->providers) {
    if (setup.entry->name == name) return setup.entry;
  }
  ADD_FAILURE() << name << " not set up";
  return nullptr;
}

TEST(ProviderSetupTest, ABuiltinIsKeptExactlyWhileItsOptionsStayTheSame) {
  const std::string v10 =
      R"(provider { name: "hyperv" builtin { [options/hyperv] { major_version: 10 } } })";
  const std::string v11 =
      R"(provider { name: "hyperv" builtin { [options/hyperv] { major_version: 11 } } })";
  const std::string empty_block = R"(provider { name: "hyperv" builtin { [options/hyperv] {} } })";
  const std::string no_block = R"(provider { name: "hyperv" builtin {} })";
  std::vector<core::Broker::ProviderSetup> running;

  std::shared_ptr<core::ProviderEntry> first = EntryAfter(v10, "hyperv", running);
  EXPECT_EQ(EntryAfter(v10, "hyperv", running), first);
  std::shared_ptr<core::ProviderEntry> changed = EntryAfter(v11, "hyperv", running);
  EXPECT_NE(changed, first);
  std::shared_ptr<core::ProviderEntry> emptied = EntryAfter(empty_block, "hyperv", running);
  EXPECT_NE(emptied, changed);
  EXPECT_EQ(EntryAfter(empty_block, "hyperv", running), emptied);
  std::shared_ptr<core::ProviderEntry> unset = EntryAfter(no_block, "hyperv", running);
  EXPECT_NE(unset, emptied);
  EXPECT_EQ(EntryAfter(no_block, "hyperv", running), unset);
}

}  // namespace
}  // namespace hypercall::daemon
