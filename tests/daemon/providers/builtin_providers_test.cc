// Every built-in provider this build registers, linked as the daemon links
// them (hypercalld_providers), without naming any: each is made by its name
// without options, or its own options check says what it needs; a made one
// has its registered name and claims what the catalog says; the default-on
// ones need no options; and the config check takes each with `builtin {}`
// exactly when it can be made that way.
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "config/config_file.h"
#include "providers/provider_registry.h"

namespace hypercall::providers {
namespace {

TEST(BuiltinProvidersTest, EachIsMadeByNameOrItsCheckSaysWhatItNeeds) {
  const config::BuiltinCatalog catalog = Catalog();
  ASSERT_FALSE(catalog.empty());
  for (const auto& [name, description] : catalog) {
    SCOPED_TRACE(name);
    std::vector<config::ConfigProblem> problems;
    if (description.options_prototype != nullptr && description.check_options) {
      problems = description.check_options(*description.options_prototype,
                                           config::Place(nullptr, nullptr, 1, 1));
    }
    EXPECT_FALSE(description.default_claims.empty());
    absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider(name);
    if (!provider.ok()) {
      EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_FALSE(problems.empty())
          << "refused without options, yet its check finds nothing: " << provider.status();
      continue;
    }
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ((*provider)->name(), name);
    std::vector<smccc::FunctionRange> claimed;
    for (const provider::RangeClaim& claim : (*provider)->Claims()) claimed.push_back(claim.range);
    std::sort(claimed.begin(), claimed.end(),
              [](const smccc::FunctionRange& a, const smccc::FunctionRange& b) {
                return a.first < b.first;
              });
    EXPECT_EQ(claimed, description.default_claims);
  }
}

TEST(BuiltinProvidersTest, TheDefaultOnesNeedNoOptions) {
  const std::vector<std::string> defaults = DefaultProviderNames();
  ASSERT_FALSE(defaults.empty());
  EXPECT_TRUE(CheckProviderNames(defaults).ok()) << CheckProviderNames(defaults);
}

TEST(BuiltinProvidersTest, TheConfigTakesEachWithoutOptionsExactlyWhenItCanBeMadeSo) {
  for (const std::string& name : RegisteredProviderNames()) {
    SCOPED_TRACE(name);
    absl::StatusOr<config::v1::Config> config = config::ParseConfig(
        absl::StrFormat("version: 1\nprovider { name: \"%s\" builtin {} }\n", name), "test.conf",
        Catalog());
    EXPECT_EQ(config.ok(), CreateProvider(name).ok()) << config.status();
  }
}

}  // namespace
}  // namespace hypercall::providers
