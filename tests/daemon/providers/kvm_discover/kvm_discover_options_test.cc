// The kvm_discover provider's options as an operator writes them in a config
// file (`builtin { [options/kvm_discover] { ... } }`), read through the
// registry as the daemon reads them: its implementations are required, and
// its own check refuses a major version other than 1 and MIDRs above 32 bits
// at their line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "configured_options.h"
#include "providers/kvm_discover/kvm_discover_options.pb.h"

namespace hypercall::providers::kvm_discover {
namespace {

using ::testing::HasSubstr;

TEST(KvmDiscoverOptionsConfigTest, ImplementationsParseIntoTheProvidersOptions) {
  const KvmDiscoverOptions options = FirstProvidersOptions<KvmDiscoverOptions>(
      "version: 1\n"
      "provider { name: \"kvm_discover\" builtin { [options/kvm_discover] {\n"
      "  version: 0x10001\n"
      "  implementation { midr: 0x410fd0c1 revidr: 1 aidr: 0xffffffffffffffff }\n"
      "  implementation { midr: 0x481fd010 } } } }\n");
  ASSERT_EQ(options.implementation_size(), 2);
  EXPECT_EQ(options.implementation(0).aidr(), 0xffffffffffffffffu);
  EXPECT_EQ(options.version(), 0x10001u);
}

TEST(KvmDiscoverOptionsConfigTest, NeedsItsImplementations) {
  EXPECT_THAT(ConfigProblems("version: 1\nprovider { name: \"kvm_discover\" builtin {} }\n"),
              HasSubstr("test.conf:2:33: built-in provider \"kvm_discover\" needs the CPU "
                        "implementations a VM may run on: builtin { [options/kvm_discover] { "
                        "implementation { midr: 0x... revidr: 0x... aidr: 0x... } } }"));
  EXPECT_THAT(ConfigProblems("version: 1\nprovider { name: \"kvm_discover\"\n"
                             "  builtin { [options/kvm_discover] { version: 0x10000 } } }\n"),
              HasSubstr("test.conf:3:3: built-in provider \"kvm_discover\" needs the CPU"));
}

TEST(KvmDiscoverOptionsConfigTest, ValuesAreChecked) {
  const std::string head =
      "version: 1\nprovider { name: \"kvm_discover\" builtin { [options/kvm_discover] {\n";
  EXPECT_THAT(ConfigProblems(head + "  version: 0x20000\n  implementation { midr: 1 } } } }\n"),
              HasSubstr("test.conf:3:3: version 0x20000 is major version 2; the major version "
                        "must be 1"));
  EXPECT_THAT(ConfigProblems(head + "  version: 0x1\n  implementation { midr: 1 } } } }\n"),
              HasSubstr("test.conf:3:3: version 0x1 is major version 0"));
  EXPECT_THAT(
      ConfigProblems(head + "  implementation { midr: 1 }\n  implementation { revidr: 2 } } } }\n"),
      HasSubstr("test.conf:4:3: implementation 1 needs its midr (MIDR_EL1 of that CPU)"));
  EXPECT_THAT(ConfigProblems(head + "  implementation {\n    midr: 0x100000000 } } } }\n"),
              HasSubstr("test.conf:4:5: midr 0x100000000 has bits above 31 set; MIDR_EL1 bits "
                        "63:32 are RES0"));
  EXPECT_EQ(ConfigProblems(head + "  implementation { midr: 0 } } } }\n"), "");
}

TEST(KvmDiscoverOptionsConfigTest, ClaimsOnlyItsTwoFunctionIds) {
  EXPECT_THAT(
      ConfigProblems(
          "version: 1\nprovider { name: \"kvm_discover\" builtin { [options/kvm_discover] {\n"
          "  implementation { midr: 1 } } }\n"
          "  range { first: 0xC6000040 last: 0xC6000042 } }\n"),
      HasSubstr("test.conf:4:3: range 0xc6000040-0xc6000042 is outside what built-in "
                "provider \"kvm_discover\" may claim (0xc6000040-0xc6000040, "
                "0xc6000041-0xc6000041)"));
}

}  // namespace
}  // namespace hypercall::providers::kvm_discover
