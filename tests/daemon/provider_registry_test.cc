// The provider registry, linked as the daemon links it: every built-in
// provider must be found by name (static registration survives linking).
#include "providers/provider_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hypercall::providers {
namespace {

TEST(ProviderRegistryTest, TrngIsRegisteredByName) {
  absl::StatusOr<std::unique_ptr<Provider>> provider = CreateProvider("trng");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->name(), "trng");
  std::vector<std::string> names = RegisteredProviderNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "trng"), names.end());
}

TEST(ProviderRegistryTest, ProbeIsRegisteredButNotLoadedByDefault) {
  std::vector<std::string> names = RegisteredProviderNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "probe"), names.end());
  EXPECT_EQ(DefaultProviderNames(), std::vector<std::string>{"trng"});
}

TEST(ProviderRegistryTest, CheckProviderNamesNamesTheUnknownOneAndListsTheKnown) {
  EXPECT_TRUE(CheckProviderNames({}).ok());
  EXPECT_TRUE(CheckProviderNames({"probe", "trng"}).ok());
  absl::Status status = CheckProviderNames({"trng", "bogus"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown provider 'bogus' (known: hyperv, probe, trng)");
}

TEST(ProviderRegistryTest, UnknownNameListsTheRegisteredOnes) {
  absl::StatusOr<std::unique_ptr<Provider>> provider = CreateProvider("no-such-provider");
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(provider.status().message().find("trng"), std::string::npos);
}

TEST(ProviderRegistryTest, EveryRegisteredNameCreatesAProviderOfThatName) {
  for (const std::string& name : RegisteredProviderNames()) {
    absl::StatusOr<std::unique_ptr<Provider>> provider = CreateProvider(name);
    ASSERT_TRUE(provider.ok()) << name;
    EXPECT_EQ((*provider)->name(), name);
  }
}

}  // namespace
}  // namespace hypercall::providers
