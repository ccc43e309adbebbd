// The provider registry on its own: providers this test registers (one
// without options, one whose options are google.protobuf.Duration) are made
// by name, get their options or refuse others', and are described to the
// config checks. The built-in providers are not linked here; each one's
// folder of tests checks its own registration.
#include "providers/provider_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "google/protobuf/duration.pb.h"
#include "google/protobuf/empty.pb.h"

namespace hypercall::providers {
namespace {

class NamedProvider final : public provider::Provider {
 public:
  NamedProvider(std::string name, uint64_t answer) : name_(std::move(name)), answer_(answer) {}
  std::string_view name() const override { return name_; }
  std::vector<provider::RangeClaim> Claims() const override {
    return {{{0xc3000030, 0xc3000031}, 0, {}}};
  }
  void Handle(const provider::CallContext&, const smccc::Call&,
              provider::Completion& done) override {
    smccc::Result result;
    result.x[1] = answer_;
    done.Complete(result);
  }
  uint64_t answer() const { return answer_; }

 private:
  const std::string name_;
  const uint64_t answer_;
};

void CheckSeconds(const google::protobuf::Duration& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems) {
  if (options.seconds() == 0) problems.push_back(place.Problem("needs seconds"));
  if (options.seconds() > 60) {
    problems.push_back(place.Field("seconds").Problem("seconds above 60"));
  }
}

absl::StatusOr<std::unique_ptr<provider::Provider>> MakeTimed(
    const google::protobuf::Duration& options) {
  if (options.seconds() == 0) return absl::InvalidArgumentError("test_timed needs seconds");
  return std::make_unique<NamedProvider>("test_timed", options.seconds());
}

HYPERCALL_REGISTER_PROVIDER(test_plain, WithoutOptions(DefaultLoad::kOn, [] {
                              return std::make_unique<NamedProvider>("test_plain", 0);
                            }));
HYPERCALL_REGISTER_PROVIDER(test_timed, WithOptions<google::protobuf::Duration>(
                                            DefaultLoad::kOff, MakeTimed, CheckSeconds, [] {
                                              return NamedProvider("test_timed", 0).Claims();
                                            }));

uint64_t Answer(const provider::Provider& provider) {
  return static_cast<const NamedProvider&>(provider).answer();
}

TEST(ProviderRegistryTest, RegisteredProvidersAreFoundByNameAndListedSorted) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> plain = CreateProvider("test_plain");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->name(), "test_plain");
  EXPECT_EQ(RegisteredProviderNames(), (std::vector<std::string>{"test_plain", "test_timed"}));
  EXPECT_EQ(DefaultProviderNames(), std::vector<std::string>{"test_plain"});
}

TEST(ProviderRegistryTest, UnknownNameListsTheRegisteredOnes) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider("no-such-provider");
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(provider.status().message(),
            "no provider named 'no-such-provider'; registered: test_plain, test_timed");
}

TEST(ProviderRegistryTest, OptionsGoToTheirProviderAndOthersRefuseThem) {
  google::protobuf::Duration options;
  options.set_seconds(5);
  absl::StatusOr<std::unique_ptr<provider::Provider>> timed =
      CreateProvider("test_timed", &options);
  ASSERT_TRUE(timed.ok()) << timed.status();
  EXPECT_EQ(Answer(**timed), 5u);

  absl::StatusOr<std::unique_ptr<provider::Provider>> plain =
      CreateProvider("test_plain", &options);
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(plain.status().message(), "built-in provider 'test_plain' takes no options");

  const google::protobuf::Empty other;
  absl::StatusOr<std::unique_ptr<provider::Provider>> wrong = CreateProvider("test_timed", &other);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(),
            "options of type google.protobuf.Empty are not google.protobuf.Duration");
}

TEST(ProviderRegistryTest, WithoutOptionsAProviderGetsItsDefaultsAndMayRefuseThem) {
  absl::StatusOr<std::unique_ptr<provider::Provider>> timed = CreateProvider("test_timed");
  EXPECT_EQ(timed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(timed.status().message(), "test_timed needs seconds");
}

TEST(ProviderRegistryTest, CheckProviderNamesNamesTheUnknownOneAndWhatOneNeeds) {
  EXPECT_TRUE(CheckProviderNames({}).ok());
  EXPECT_TRUE(CheckProviderNames({"test_plain"}).ok());
  absl::Status status = CheckProviderNames({"test_plain", "bogus"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown provider 'bogus' (known: test_plain, test_timed)");
  // --providers has no config to take options from.
  status = CheckProviderNames({"test_plain", "test_timed"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "test_timed needs seconds");
}

TEST(ProviderRegistryTest, DefaultClaimsNeedNoOptions) {
  std::vector<provider::RangeClaim> claims = DefaultClaims("test_timed");
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].range.first, 0xc3000030u);
  EXPECT_EQ(DefaultClaims("test_plain").size(), 1u);
  EXPECT_TRUE(DefaultClaims("no-such-provider").empty());
}

TEST(ProviderRegistryTest, TheCatalogDescribesEachToTheConfigChecks) {
  const config::BuiltinCatalog catalog = Catalog();
  ASSERT_EQ(catalog.size(), 2u);
  const config::BuiltinDescription& plain = catalog.at("test_plain");
  EXPECT_TRUE(plain.default_on);
  EXPECT_EQ(plain.options_prototype, nullptr);
  ASSERT_EQ(plain.default_claims.size(), 1u);
  EXPECT_EQ(plain.default_claims[0].last, 0xc3000031u);

  const config::BuiltinDescription& timed = catalog.at("test_timed");
  EXPECT_FALSE(timed.default_on);
  EXPECT_EQ(timed.options_prototype, &google::protobuf::Duration::default_instance());
  google::protobuf::Duration options;
  options.set_seconds(61);
  std::vector<config::ConfigProblem> problems =
      timed.check_options(options, config::Place(nullptr, nullptr, 4, 2));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 4);
  EXPECT_EQ(problems[0].message, "seconds above 60");
  // Options of another type are a problem, not a crash.
  problems = timed.check_options(google::protobuf::Empty(), config::Place(nullptr, nullptr, 1, 1));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "options of type google.protobuf.Empty are not google.protobuf.Duration");
}

}  // namespace
}  // namespace hypercall::providers
