// The config file as an operator writes it: what parses, and for what does
// not, that the message names the line and says what to fix.
#include "config/config_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::config {
namespace {

using ::testing::HasSubstr;

BuiltinCatalog Catalog() {
  BuiltinCatalog catalog;
  catalog.default_claims["trng"] = {{0x84000050, 0x8400005F}, {0xC4000050, 0xC400005F}};
  catalog.default_claims["probe"] = {{0x83000000, 0x8300000F}, {0xC3000000, 0xC300000F}};
  catalog.default_claims["hyperv"] = {{0x46000001, 0x46000001}, {0x8600FF01, 0x8600FF01}};
  catalog.default_claims["kvm_discover"] = {{0xC6000040, 0xC6000040}, {0xC6000041, 0xC6000041}};
  catalog.default_on = {"trng"};
  return catalog;
}

// The error text of parsing `text` as "test.conf" (empty when it parses).
std::string Problems(const std::string& text) {
  absl::StatusOr<v1::Config> config = ParseConfig(text, "test.conf", Catalog());
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

constexpr char kFull[] = R"(version: 1
provider { name: "trng" builtin {} }
provider {
  name: "hv"
  external { allow_uid: 990 allow_gid: 991 }
  range { first: 0xC6000000 last: 0xC600FFFF reads: [1, 2, 3] }
  range { first: 0x86000000 last: 0x8600FFFF }
}
vm { name: "win-*" provider: "hv" provider: "trng" }
vm { name: "*" provider: "trng" }
sockets {
  vmm { path: "/run/hypercalld/vmm.sock" owner: "0" group: "0" mode: 0660 }
  observer { mode: 0640 }
}
limits { call_deadline_ms: 250 max_calls_in_flight_per_provider: 64 }
)";

TEST(ConfigFileTest, AFullFileParsesWithHexAndOctalNumbers) {
  absl::StatusOr<v1::Config> config = ParseConfig(kFull, "test.conf", Catalog());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->provider(1).range(0).first(), 0xC6000000u);
  EXPECT_EQ(config->provider(1).range(0).reads_size(), 3);
  EXPECT_EQ(config->sockets().vmm().mode(), 0660u);
  EXPECT_EQ(config->sockets().observer().mode(), 0640u);
  EXPECT_FALSE(config->sockets().provider().has_mode());
  EXPECT_EQ(config->limits().call_deadline_ms(), 250u);
  EXPECT_FALSE(config->limits().has_max_sessions());
}

TEST(ConfigFileTest, TheSmallestFileIsTheVersion) { EXPECT_EQ(Problems("version: 1\n"), ""); }

TEST(ConfigFileTest, SyntaxErrorsNameLineAndColumn) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"x\" \n"), HasSubstr("test.conf:3:1: "));
  EXPECT_THAT(Problems("version: 1\n\nlimitz { }\n"),
              HasSubstr("test.conf:3:8: Message type \"hypercall.config.v1.Config\" has no field "
                        "named \"limitz\""));
  EXPECT_THAT(Problems("version: one\n"), HasSubstr("test.conf:1:10: "));
}

TEST(ConfigFileTest, VersionIsRequiredAndChecked) {
  EXPECT_THAT(Problems("limits {}\n"),
              HasSubstr("test.conf: version is missing: start the file with \"version: 1\""));
  EXPECT_THAT(Problems("\nversion: 2\n"),
              HasSubstr("test.conf:2:1: version 2 is not one this hypercalld reads"));
}

TEST(ConfigFileTest, ProviderNamesAreCheckedAndUnique) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"Bad Name\" builtin {} }\n"),
              HasSubstr("test.conf:2:12: provider name \"Bad Name\" is not 1-32 characters"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin {} }\n"
                       "provider { name: \"trng\" builtin {} }\n"),
              HasSubstr("test.conf:3:12: provider \"trng\" is already defined at line 2"));
}

TEST(ConfigFileTest, ProviderKindsAreChecked) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"x\" }\n"),
              HasSubstr("test.conf:2:1: provider \"x\" says neither \"builtin {}\" nor"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"tpm\" builtin {} }\n"),
              HasSubstr("there is no built-in provider \"tpm\"; built-in providers are: hyperv, "
                        "kvm_discover, probe, trng"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"x\" external {} range { first: 0xC3000000 "
                       "last: 0xC3000001 } }\n"),
              HasSubstr("test.conf:2:22: external provider \"x\" needs allow_uid or allow_gid"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"x\" external { allow_uid: 0 } }\n"),
              HasSubstr("external provider \"x\" needs at least one range"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" external { allow_uid: 0 } "
                       "range { first: 0xC3000000 last: 0xC3000001 } }\n"),
              HasSubstr("\"trng\" is the name of a built-in provider"));
}

TEST(ConfigFileTest, RangesAreChecked) {
  EXPECT_THAT(Problems("version: 1\nprovider {\n  name: \"x\" external { allow_uid: 0 }\n"
                       "  range { first: 0xC3000010 last: 0xC3000001 }\n}\n"),
              HasSubstr("test.conf:4:3: range 0xc3000010-0xc3000001 is empty"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n"
                       "  range { first: 0x80000000 last: 0x80000001 } }\n"),
              HasSubstr("test.conf:3:3: range 0x80000000-0x80000001 overlaps the SMCCC-reserved "
                        "range 0x80000000-0x8000ffff (Arm architecture calls such as "
                        "SMCCC_VERSION and ARCH_FEATURES), which KVM always answers itself and "
                        "never forwards"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin {}\n"
                       "  range { first: 0xC4000050 last: 0xC4000060 } }\n"),
              HasSubstr("test.conf:3:3: range 0xc4000050-0xc4000060 is outside what built-in "
                        "provider \"trng\" may claim (0x84000050-0x8400005f, "
                        "0xc4000050-0xc400005f)"));
  EXPECT_EQ(Problems("version: 1\nprovider { name: \"trng\" builtin {}\n"
                     "  range { first: 0xC4000050 last: 0xC4000053 } }\n"),
            "");
}

TEST(ConfigFileTest, ReadsAreArgumentRegistersOfExternalProviders) {
  const std::string external = "version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n";
  EXPECT_THAT(
      Problems(external + "  range { first: 0xC3000000 last: 0xC3000001 reads: [1, 0] } }\n"),
      HasSubstr("test.conf:3:3: reads 0: argument registers are 1-17"));
  EXPECT_THAT(Problems(external + "  range { first: 0xC3000000 last: 0xC3000001 reads: 18 } }\n"),
              HasSubstr("reads 18: argument registers are 1-17"));
  EXPECT_THAT(
      Problems(external + "  range { first: 0xC3000000 last: 0xC3000001 reads: [2, 2] } }\n"),
      HasSubstr("reads 2: listed twice"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin {}\n"
                       "  range { first: 0xC4000050 last: 0xC4000053 reads: 1 } }\n"),
              HasSubstr("built-in provider \"trng\" says itself which registers it reads"));
}

TEST(ConfigFileTest, MemoryOperandsOfExternalProvidersAreCheckedWhereTheyAre) {
  const std::string external =
      "version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n"
      "  range { first: 0xC3000000 last: 0xC3000001 reads: 1\n";
  // Their registers are read whatever `reads` says: x2 is fine here.
  EXPECT_EQ(Problems(external + "    memory { address_register: 2 length: 64 direction: OUT }\n"
                                "    memory { address_register: 1 length: 64 direction: IN\n"
                                "             when_register: 3 when_mask: 1 } } }\n"),
            "");
  EXPECT_THAT(Problems(external + "    memory { address_register: 2 length: 64 direction: OUT }\n"
                                  "    memory { address_register: 18 length: 64 direction: IN } "
                                  "} }\n"),
              HasSubstr("test.conf:5:5: memory operand 1: address_register 18 is not an argument "
                        "register (1..17)"));
  EXPECT_THAT(
      Problems(external + "    memory { address_register: 2 length: 0 direction: IN } } }\n"),
      HasSubstr("test.conf:4:5: memory operand 0: length 0 is outside 1..16384"));
  EXPECT_THAT(Problems(external + "    memory { address_register: 2 length: 8 } } }\n"),
              HasSubstr("test.conf:4:5: memory operand at x2 has no direction: say IN, OUT or "
                        "INOUT"));
  EXPECT_THAT(Problems(external + "    memory { address_register: 2 length: 8 direction: IN\n"
                                  "             when_register: 1 when_mask: 1 when_value: 2 } } "
                                  "}\n"),
              HasSubstr("test.conf:4:5: memory operand 0: when_value 0x2 has bits outside "
                        "when_mask 0x1, so it never applies"));
  std::string five = external;
  for (int i = 0; i < 5; ++i)
    five += "    memory { address_register: 1 length: 8 direction: IN }\n";
  EXPECT_THAT(Problems(five + "} }\n"),
              HasSubstr("test.conf:8:5: 5 memory operands; a range may have at most 4"));
}

TEST(ConfigFileTest, MemoryOperandsMustFitTheMessageSize) {
  const std::string range =
      "version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n"
      "  range { first: 0xC3000000 last: 0xC3000001\n"
      "    memory { address_register: 1 length: 16384 direction: IN }\n"
      "    memory { address_register: 2 length: 8192 direction: OUT }\n"
      "  }\n}\n";
  EXPECT_EQ(Problems(range), "");
  EXPECT_THAT(Problems(range + "limits { max_message_bytes: 28671 }\n"),
              HasSubstr("test.conf:4:5: the memory operands of range 0xc3000000-0xc3000001 pass "
                        "24576 bytes; with 4096 bytes for the rest of a call that is over "
                        "limits.max_message_bytes (28671): raise max_message_bytes to at least "
                        "28672 or shorten the operands"));
  EXPECT_EQ(Problems(range + "limits { max_message_bytes: 28672 }\n"), "");
}

TEST(ConfigFileTest, MemoryOperandsOfARangePassAtMost32KiBTogether) {
  std::string range =
      "version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n"
      "  range { first: 0xC3000000 last: 0xC3000001\n";
  for (int reg = 1; reg <= 3; ++reg) {
    range +=
        absl::StrFormat("    memory { address_register: %d length: 16384 direction: IN }\n", reg);
  }
  // Located at the operand that goes over.
  EXPECT_THAT(
      Problems(range + "  }\n}\n"),
      HasSubstr("test.conf:6:5: memory operands 0..2 take 49152 bytes together; a range may "
                "pass at most 32768"));
}

TEST(ConfigFileTest, BuiltinProvidersDeclareTheirOwnMemoryOperands) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"probe\" builtin {}\n"
                       "  range { first: 0xC3000003 last: 0xC3000003\n"
                       "    memory { address_register: 1 length: 64 direction: IN } } }\n"),
              HasSubstr("test.conf:4:5: built-in provider \"probe\" declares its own memory "
                        "operands: remove \"memory\""));
}

TEST(ConfigFileTest, OverlappingRangesNameBothProviders) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin {} }\n"
                       "provider { name: \"mine\" external { allow_uid: 0 }\n"
                       "  range { first: 0xC4000000 last: 0xC40000FF } }\n"),
              HasSubstr("test.conf:4:3: range 0xc4000000-0xc40000ff overlaps range "
                        "0xc4000050-0xc400005f of provider \"trng\" (line 2): a function ID "
                        "has one owner"));
}

TEST(ConfigFileTest, VmRulesAreChecked) {
  EXPECT_THAT(Problems("version: 1\nvm { provider: \"trng\" }\n"),
              HasSubstr("test.conf:2:1: vm rule needs a name pattern"));
  EXPECT_THAT(Problems("version: 1\nvm { name: \"*\" provider: \"nope\" }\n"),
              HasSubstr("test.conf:2:16: vm rule \"*\" names provider \"nope\", which is not "
                        "defined"));
  // Without provider blocks, the default-on built-ins are what exists.
  EXPECT_THAT(Problems("version: 1\nvm { name: \"*\" provider: \"probe\" }\n"),
              HasSubstr("names provider \"probe\", which is not defined"));
  EXPECT_THAT(Problems("version: 1\nvm { name: \"*\" }\nvm { name: \"a*\" }\n"),
              HasSubstr("test.conf:3:6: vm rule \"a*\" never applies: the rule at line 2 "
                        "matches every VM first"));
  EXPECT_THAT(Problems("version: 1\nvm { name: \"a*\" }\nvm { name: \"a*\" }\n"),
              HasSubstr("the rule at line 2 has the same pattern"));
}

TEST(ConfigFileTest, SocketsAreChecked) {
  EXPECT_THAT(Problems("version: 1\nsockets { vmm { path: \"vmm.sock\" } }\n"),
              HasSubstr("test.conf:2:17: vmm socket path \"vmm.sock\" must be absolute"));
  EXPECT_THAT(Problems("version: 1\nsockets { vmm { path: \"/a\" } observer { path: \"/a\" } }\n"),
              HasSubstr("observer socket path \"/a\" is already the vmm socket's"));
  EXPECT_THAT(Problems("version: 1\nsockets { vmm { owner: \"no-such-user-hc\" } }\n"),
              HasSubstr("vmm socket owner: no user \"no-such-user-hc\" on this system"));
  EXPECT_THAT(Problems("version: 1\nsockets { vmm { group: \"no-such-group-hc\" } }\n"),
              HasSubstr("vmm socket group: no group \"no-such-group-hc\" on this system"));
  EXPECT_THAT(Problems("version: 1\nsockets { vmm { mode: 660 } }\n"),
              HasSubstr("vmm socket mode 01224 has bits beyond 0777 (write it in octal"));
}

TEST(ConfigFileTest, LimitsAreChecked) {
  EXPECT_THAT(Problems("version: 1\nlimits {\n  call_deadline_ms: 0\n}\n"),
              HasSubstr("test.conf:3:3: call_deadline_ms 0 is out of range: 1-60000"));
  EXPECT_THAT(Problems("version: 1\nlimits { max_message_bytes: 100 }\n"),
              HasSubstr("max_message_bytes 100 is out of range: 4096-4194304"));
}

TEST(ConfigFileTest, EveryProblemIsReportedInFileOrder) {
  const std::string problems =
      Problems("version: 1\nlimits { max_sessions: 0 }\nvm { name: \"*\" provider: \"x\" }\n");
  EXPECT_THAT(problems, HasSubstr("test.conf:2:"));
  EXPECT_THAT(problems, HasSubstr("\ntest.conf:3:"));
}

TEST(ConfigFileTest, FilesThatCannotBeReadSaySo) {
  absl::StatusOr<v1::Config> missing = LoadConfigFile("/nonexistent/hypercalld.conf", Catalog());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("cannot read config file /nonexistent/hypercalld.conf"));
  EXPECT_THAT(LoadConfigFile("/tmp", Catalog()).status().message(),
              HasSubstr("config file /tmp is not a regular file"));
}

TEST(ConfigFileTest, LoadsAFileAndNamesItInErrors) {
  char path[] = "/tmp/hypercalld-conf-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "version: 1\nlimits { max_providers: 5000 }\n";
  absl::StatusOr<v1::Config> config = LoadConfigFile(path, Catalog());
  EXPECT_THAT(config.status().message(), HasSubstr(std::string(path) + ":2:10: max_providers"));
  std::ofstream(path) << kFull;
  EXPECT_TRUE(LoadConfigFile(path, Catalog()).ok());
  std::remove(path);
}

TEST(ConfigFileTest, BuiltinOptionsParseForTheProviderTheyAreNamedAfter) {
  absl::StatusOr<v1::Config> config = ParseConfig(
      "version: 1\n"
      "provider { name: \"hyperv\" builtin { hyperv { major_version: 10 minor_version: 0\n"
      "  build_number: 26100 service_branch: 0xff service_number: 0xffffff privileges_low: 0x2e7f\n"
      "  privileges_high: 0x3b8030 misc_features: 0xbed7b2 hints: 0xa0e24 } } }\n"
      "provider { name: \"kvm_discover\" builtin { kvm_discover {\n"
      "  version: 0x10001\n"
      "  implementation { midr: 0x410fd0c1 revidr: 1 aidr: 0xffffffffffffffff }\n"
      "  implementation { midr: 0x481fd010 } } } }\n",
      "test.conf", Catalog());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->provider(0).builtin().hyperv().build_number(), 26100u);
  EXPECT_FALSE(config->provider(0).builtin().hyperv().has_service_pack());
  EXPECT_EQ(config->provider(1).builtin().kvm_discover().implementation_size(), 2);
  EXPECT_EQ(config->provider(1).builtin().kvm_discover().implementation(0).aidr(),
            0xffffffffffffffffu);
  // Without a block, hyperv takes its defaults.
  EXPECT_EQ(Problems("version: 1\nprovider { name: \"hyperv\" builtin {} }\n"), "");
  EXPECT_EQ(Problems("version: 1\nprovider { name: \"hyperv\" builtin { hyperv {} } }\n"), "");
}

TEST(ConfigFileTest, AnOptionsBlockForAnotherProviderIsRefusedWhereItIs) {
  EXPECT_THAT(Problems("version: 1\nprovider {\n  name: \"hyperv\"\n"
                       "  builtin { kvm_discover { implementation { midr: 1 } } }\n}\n"),
              HasSubstr("test.conf:4:13: a \"kvm_discover { ... }\" block is for built-in provider "
                        "\"kvm_discover\", not \"hyperv\": write \"hyperv { ... }\""));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin { hyperv {} } }\n"),
              HasSubstr("test.conf:2:35: a \"hyperv { ... }\" block is for built-in provider "
                        "\"hyperv\", not \"trng\", which takes no options: write \"builtin {}\""));
}

TEST(ConfigFileTest, HypervValuesMustFitTheirFields) {
  const std::string head = "version: 1\nprovider { name: \"hyperv\" builtin { hyperv {\n";
  EXPECT_THAT(Problems(head + "  major_version: 65536 } } }\n"),
              HasSubstr("test.conf:3:3: major_version 65536 does not fit its field: at most 65535 "
                        "(0xffff)"));
  EXPECT_THAT(Problems(head + "  minor_version: 0x10000 } } }\n"),
              HasSubstr("test.conf:3:3: minor_version 65536 does not fit"));
  EXPECT_THAT(Problems(head + "  build_number: 1\n  service_branch: 256 } } }\n"),
              HasSubstr("test.conf:4:3: service_branch 256 does not fit its field: at most 255"));
  EXPECT_THAT(Problems(head + "  service_number: 0x1000000 } } }\n"),
              HasSubstr("test.conf:3:3: service_number 16777216 does not fit"));
  EXPECT_EQ(Problems(head + "  major_version: 65535 minor_version: 65535 service_branch: 255\n"
                            "  service_number: 0xffffff build_number: 0xffffffff } } }\n"),
            "");
}

TEST(ConfigFileTest, KvmDiscoverNeedsItsImplementations) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"kvm_discover\" builtin {} }\n"),
              HasSubstr("test.conf:2:33: built-in provider \"kvm_discover\" needs the CPU "
                        "implementations a VM may run on: builtin { kvm_discover { implementation "
                        "{ midr: 0x... revidr: 0x... aidr: 0x... } } }"));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"kvm_discover\"\n"
                       "  builtin { kvm_discover { version: 0x10000 } } }\n"),
              HasSubstr("test.conf:3:13: built-in provider \"kvm_discover\" needs the CPU"));
}

TEST(ConfigFileTest, KvmDiscoverValuesAreChecked) {
  const std::string head =
      "version: 1\nprovider { name: \"kvm_discover\" builtin { kvm_discover {\n";
  EXPECT_THAT(Problems(head + "  version: 0x20000\n  implementation { midr: 1 } } } }\n"),
              HasSubstr("test.conf:3:3: version 0x20000 is major version 2; the major version "
                        "must be 1"));
  EXPECT_THAT(Problems(head + "  version: 0x1\n  implementation { midr: 1 } } } }\n"),
              HasSubstr("test.conf:3:3: version 0x1 is major version 0"));
  EXPECT_THAT(
      Problems(head + "  implementation { midr: 1 }\n  implementation { revidr: 2 } } } }\n"),
      HasSubstr("test.conf:4:3: implementation 1 needs its midr (MIDR_EL1 of that CPU)"));
  EXPECT_THAT(Problems(head + "  implementation {\n    midr: 0x100000000 } } } }\n"),
              HasSubstr("test.conf:4:5: midr 0x100000000 has bits above 31 set; MIDR_EL1 bits "
                        "63:32 are RES0"));
  EXPECT_EQ(Problems(head + "  implementation { midr: 0 } } } }\n"), "");
}

TEST(ConfigFileTest, KvmDiscoverClaimsItsTwoFunctionIds) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"kvm_discover\" builtin { kvm_discover {\n"
                       "  implementation { midr: 1 } } }\n"
                       "  range { first: 0xC6000040 last: 0xC6000042 } }\n"),
              HasSubstr("test.conf:4:3: range 0xc6000040-0xc6000042 is outside what built-in "
                        "provider \"kvm_discover\" may claim (0xc6000040-0xc6000040, "
                        "0xc6000041-0xc6000041)"));
}

}  // namespace
}  // namespace hypercall::config
