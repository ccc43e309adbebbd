// The hyperv provider's options as an operator writes them in a config file
// (`builtin { [options/hyperv] { ... } }`), read through the registry as the
// daemon reads them: every field parses, and a value too wide for the word
// it goes to is refused by the provider's own check at its line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "configured_options.h"
#include "providers/hyperv/hyperv_options.pb.h"

namespace hypercall::providers::hyperv {
namespace {

using ::testing::HasSubstr;

TEST(HypervOptionsConfigTest, EveryFieldParsesIntoTheProvidersOptions) {
  const HypervOptions options = FirstProvidersOptions<HypervOptions>(
      "version: 1\n"
      "provider { name: \"hyperv\" builtin { [options/hyperv] { major_version: 10 minor_version: "
      "0\n"
      "  build_number: 26100 service_branch: 0xff service_number: 0xffffff privileges_low: 0x2e7f\n"
      "  privileges_high: 0x3b8030 misc_features: 0xbed7b2 hints: 0xa0e24 } } }\n");
  EXPECT_EQ(options.build_number(), 26100u);
  EXPECT_EQ(options.hints(), 0xa0e24u);
  EXPECT_FALSE(options.has_service_pack());
  // Without a block, or with an empty one, hyperv takes its defaults.
  EXPECT_EQ(ConfigProblems("version: 1\nprovider { name: \"hyperv\" builtin {} }\n"), "");
  EXPECT_EQ(
      ConfigProblems("version: 1\nprovider { name: \"hyperv\" builtin { [options/hyperv] {} } }\n"),
      "");
}

TEST(HypervOptionsConfigTest, ValuesMustFitTheirFields) {
  const std::string head = "version: 1\nprovider { name: \"hyperv\" builtin { [options/hyperv] {\n";
  EXPECT_THAT(ConfigProblems(head + "  major_version: 65536 } } }\n"),
              HasSubstr("test.conf:3:3: major_version 65536 does not fit its field: at most 65535 "
                        "(0xffff)"));
  EXPECT_THAT(ConfigProblems(head + "  minor_version: 0x10000 } } }\n"),
              HasSubstr("test.conf:3:3: minor_version 65536 does not fit"));
  EXPECT_THAT(ConfigProblems(head + "  build_number: 1\n  service_branch: 256 } } }\n"),
              HasSubstr("test.conf:4:3: service_branch 256 does not fit its field: at most 255"));
  EXPECT_THAT(ConfigProblems(head + "  service_number: 0x1000000 } } }\n"),
              HasSubstr("test.conf:3:3: service_number 16777216 does not fit"));
  EXPECT_EQ(
      ConfigProblems(head + "  major_version: 65535 minor_version: 65535 service_branch: 255\n"
                            "  service_number: 0xffffff build_number: 0xffffffff } } }\n"),
      "");
}

TEST(HypervOptionsConfigTest, AKvmDiscoverBlockIsNotHypervs) {
  EXPECT_THAT(
      ConfigProblems("version: 1\nprovider {\n  name: \"hyperv\"\n"
                     "  builtin { [options/kvm_discover] { implementation { midr: 1 } } }\n}\n"),
      HasSubstr("test.conf:4:3: a [options/kvm_discover] block is for built-in provider "
                "\"kvm_discover\", not \"hyperv\": write \"[options/hyperv] { ... }\""));
}

}  // namespace
}  // namespace hypercall::providers::hyperv
