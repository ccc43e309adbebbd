// The provider registry, linked as the daemon links it: every built-in
// provider must be found by name (static registration survives linking).
#include "providers/provider_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hypercall::providers {
namespace {

TEST(ProviderRegistryTest, TrngIsRegisteredByName) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("trng");
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
  EXPECT_EQ(status.message(),
            "unknown provider 'bogus' (known: hyperv, kvm_discover, probe, pvtime, trng)");
}

TEST(ProviderRegistryTest, CheckProviderNamesRefusesAProviderThatNeedsOptions) {
  // --providers has no config to take options from.
  absl::Status status = CheckProviderNames({"trng", "kvm_discover"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'kvm_discover' needs the CPU implementations"),
            std::string::npos)
      << status.message();
}

TEST(ProviderRegistryTest, OptionsGoToTheirProviderAndOthersRefuseThem) {
  config::v1::Builtin options;
  options.mutable_kvm_discover()->add_implementation()->set_midr(0x410fd0c1);
  absl::StatusOr<std::unique_ptr<provider::Provider>> discover =
      CreateProvider("kvm_discover", options);
  ASSERT_TRUE(discover.ok()) << discover.status();
  EXPECT_EQ((*discover)->name(), "kvm_discover");
  absl::StatusOr<std::unique_ptr<provider::Provider>> trng = CreateProvider("trng", options);
  EXPECT_EQ(trng.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(trng.status().message(), "built-in provider 'trng' takes no options");
  EXPECT_EQ(CreateProvider("hyperv", options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProviderRegistryTest, DefaultClaimsNeedNoOptions) {
  std::vector<provider::RangeClaim> claims = DefaultClaims("kvm_discover");
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].range.first, 0xc6000040u);
  EXPECT_EQ(claims[1].range.first, 0xc6000041u);
  EXPECT_EQ(DefaultClaims("trng").size(), (*CreateProvider("trng"))->Claims().size());
  EXPECT_TRUE(DefaultClaims("no-such-provider").empty());
}

TEST(ProviderRegistryTest, UnknownNameListsTheRegisteredOnes) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("no-such-provider");
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(provider.status().message().find("trng"), std::string::npos);
}

TEST(ProviderRegistryTest, EveryRegisteredNameCreatesAProviderOfThatName) {
  // kvm_discover needs its implementations; the others take defaults.
  config::v1::Builtin discover;
  discover.mutable_kvm_discover()->add_implementation()->set_midr(1);
  for (const std::string& name : RegisteredProviderNames()) {
    absl::StatusOr<std::unique_ptr<provider::Provider>> provider =
        CreateProvider(name, name == "kvm_discover" ? discover : config::v1::Builtin());
    ASSERT_TRUE(provider.ok()) << name;
    EXPECT_EQ((*provider)->name(), name);
  }
}

}  // namespace
}  // namespace hypercall::providers
