// CheckConfig on its own: a text config parsed with its location tree, and
// each rule's problem with the line and column it is reported at and its
// whole message. (config_file_test.cc checks the same rules as an operator
// sees them, through ParseConfig.)
#include "config/config_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"

namespace hypercall::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

BuiltinCatalog Catalog() {
  BuiltinCatalog catalog;
  catalog["trng"].default_claims = {{0x84000050, 0x8400005F}, {0xC4000050, 0xC400005F}};
  catalog["trng"].default_on = true;
  catalog["probe"].default_claims = {{0x83000000, 0x8300000F}, {0xC3000000, 0xC300000F}};
  return catalog;
}

// "line:column: message", one per problem, in the order CheckConfig gives.
std::vector<std::string> Describe(const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> lines;
  for (const ConfigProblem& problem : problems) {
    lines.push_back(absl::StrFormat("%d:%d: %s", problem.line, problem.column, problem.message));
  }
  return lines;
}

// The problems of `text`, parsed with its locations.
std::vector<std::string> Check(const std::string& text) {
  v1::Config config;
  google::protobuf::TextFormat::ParseInfoTree locations;
  google::protobuf::TextFormat::Parser parser;
  parser.WriteLocationsTo(&locations);
  EXPECT_TRUE(parser.ParseFromString(text, &config)) << text;
  return Describe(CheckConfig(config, &locations, Catalog()));
}

// An external provider "x" allowed uid 0, with `ranges` (text) inside it.
std::string External(const std::string& ranges) {
  return "version: 1\nprovider { name: \"x\" external { allow_uid: 0 }\n" + ranges + "}\n";
}

TEST(ConfigCheckTest, AConfigThatFollowsEveryRuleHasNoProblems) {
  EXPECT_THAT(Check(R"(version: 1
provider { name: "trng" builtin {} }
provider { name: "probe" builtin {} range { first: 0xC3000000 last: 0xC3000003 } }
provider {
  name: "oem-1"
  external { allow_gid: 991 }
  range { first: 0xC6000000 last: 0xC600FFFF reads: [1, 2, 17] }
  range { first: 0xC7000000 last: 0xC7000000
    memory { address_register: 1 length: 64 direction: INOUT } }
}
vm { name: "win-*" provider: "oem-1" provider: "trng" }
vm { name: "tenant-a-*" provider: "trng" allow_uid: 3001 allow_gid: 3000
     allow_unit: "qemu-tenant-a.service" allow_unit: "vm@a-1.scope" }
vm { name: "*" provider: "trng" }
sockets {
  vmm { path: "/run/h/vmm.sock" owner: "0" group: "0" mode: 0660 }
  observer { path: "/run/h/observer.sock" }
}
limits { call_deadline_ms: 60000 max_message_bytes: 4194304 }
)"),
              IsEmpty());
}

TEST(ConfigCheckTest, AMissingVersionIsAboutTheWholeFile) {
  EXPECT_THAT(Check("limits {}\n"),
              ElementsAre("0:0: version is missing: start the file with \"version: 1\""));
}

TEST(ConfigCheckTest, AnotherVersionIsReportedAtIt) {
  EXPECT_THAT(Check("\n  version: 2\n"),
              ElementsAre("2:3: version 2 is not one this hypercalld reads; it reads version 1"));
}

TEST(ConfigCheckTest, ProviderNamesAreShortLowerCaseWords) {
  const std::string long_name(33, 'a');
  EXPECT_THAT(
      Check("version: 1\nprovider { name: \"Bad Name\" external { allow_uid: 0 }\n"
            "  range { first: 0xC6000000 last: 0xC6000000 } }\n"
            "provider {\n  name: \"" +
            long_name +
            "\" external { allow_uid: 0 }\n  range { first: 0xC7000000 last: 0xC7000000 } }\n"),
      ElementsAre("2:12: provider name \"Bad Name\" is not 1-32 characters of a-z, 0-9, '_' and "
                  "'-'",
                  "5:3: provider name \"" + long_name +
                      "\" is not 1-32 characters of a-z, 0-9, '_' and '-'"));
}

TEST(ConfigCheckTest, AProviderIsDefinedOnce) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"trng\" builtin {} }\n"
                    "provider { name: \"trng\" builtin {} }\n"),
              ElementsAre("3:12: provider \"trng\" is already defined at line 2"));
}

TEST(ConfigCheckTest, AProviderSaysWhatKindItIs) {
  EXPECT_THAT(Check("version: 1\n\nprovider { name: \"x\" }\n"),
              ElementsAre("3:1: provider \"x\" says neither \"builtin {}\" nor \"external { "
                          "allow_uid: ... }\""));
}

TEST(ConfigCheckTest, ABuiltinProviderIsOneTheDaemonHas) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"tpm\" builtin {} }\n"),
              ElementsAre("2:24: there is no built-in provider \"tpm\"; built-in providers are: "
                          "probe, trng"));
}

TEST(ConfigCheckTest, AnExternalProviderSaysWhoMayServeItAndWhatItOwns) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"x\" external {} }\n"),
              ElementsAre("2:1: external provider \"x\" needs at least one range { first: ... "
                          "last: ... }",
                          "2:22: external provider \"x\" needs allow_uid or allow_gid: who may "
                          "serve it"));
}

TEST(ConfigCheckTest, AnExternalProviderDoesNotTakeABuiltinsName) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"probe\" external { allow_uid: 0 }\n"
                    "  range { first: 0xC6000000 last: 0xC6000000 } }\n"),
              ElementsAre("2:12: \"probe\" is the name of a built-in provider; give the external "
                          "one another name"));
}

TEST(ConfigCheckTest, EachRangeIsCheckedWhereItIs) {
  EXPECT_THAT(Check(External("  range { first: 0xC6000000 last: 0xC6000000 }\n"
                             "  range { first: 0xC3000010 last: 0xC3000001 }\n"
                             "  range { first: 0x80000000 last: 0x80000001 }\n")),
              ElementsAre("4:3: range 0xc3000010-0xc3000001 is empty: first must not be above last",
                          "5:3: range 0x80000000-0x80000001 overlaps the SMCCC-reserved range "
                          "0x80000000-0x8000ffff (Arm architecture calls such as SMCCC_VERSION "
                          "and ARCH_FEATURES), which KVM always answers itself and never "
                          "forwards"));
}

TEST(ConfigCheckTest, ABuiltinsRangesStayWithinItsDefaultClaims) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"trng\" builtin {}\n"
                    "  range { first: 0xC4000050 last: 0xC4000053 }\n"
                    "  range { first: 0xC4000050 last: 0xC4000060 } }\n"),
              ElementsAre("4:3: range 0xc4000050-0xc4000060 is outside what built-in provider "
                          "\"trng\" may claim (0x84000050-0x8400005f, 0xc4000050-0xc400005f)"));
}

TEST(ConfigCheckTest, ReadsAreDistinctArgumentRegistersOfExternalProviders) {
  EXPECT_THAT(Check(External("  range { first: 0xC6000000 last: 0xC6000000\n"
                             "    reads: 1\n    reads: 0 }\n"
                             "  range { first: 0xC6000001 last: 0xC6000001 reads: 18 }\n"
                             "  range { first: 0xC6000002 last: 0xC6000002\n"
                             "    reads: 2\n    reads: 2 }\n")),
              ElementsAre("5:5: reads 0: argument registers are 1-17 (x1..x17; x0 is the "
                          "function ID)",
                          "6:46: reads 18: argument registers are 1-17 (x1..x17; x0 is the "
                          "function ID)",
                          "9:5: reads 2: listed twice"));
  EXPECT_THAT(Check("version: 1\nprovider { name: \"trng\" builtin {}\n"
                    "  range { first: 0xC4000050 last: 0xC4000053 reads: 1 } }\n"),
              ElementsAre("3:46: built-in provider \"trng\" says itself which registers it "
                          "reads: remove \"reads\""));
}

TEST(ConfigCheckTest, MemoryOperandsAreCheckedAtTheOperandToBlame) {
  EXPECT_THAT(Check(External("  range { first: 0xC6000000 last: 0xC6000000\n"
                             "    memory { address_register: 1 length: 8 direction: IN }\n"
                             "    memory { address_register: 18 length: 8 direction: IN } }\n")),
              ElementsAre("5:5: memory operand 1: address_register 18 is not an argument register "
                          "(1..17)"));
  EXPECT_THAT(Check("version: 1\nprovider { name: \"probe\" builtin {}\n"
                    "  range { first: 0xC3000003 last: 0xC3000003\n"
                    "    memory { address_register: 1 length: 64 direction: IN } } }\n"),
              ElementsAre("4:5: built-in provider \"probe\" declares its own memory operands: "
                          "remove \"memory\""));
}

TEST(ConfigCheckTest, MemoryOperandsLeaveRoomForTheRestOfACall) {
  const std::string range = External(
      "  range { first: 0xC6000000 last: 0xC6000001\n"
      "    memory { address_register: 1 length: 4096 direction: IN } }\n");
  EXPECT_THAT(Check(range + "limits { max_message_bytes: 8191 }\n"),
              ElementsAre("4:5: the memory operands of range 0xc6000000-0xc6000001 pass 4096 "
                          "bytes; with 4096 bytes for the rest of a call that is over "
                          "limits.max_message_bytes (8191): raise max_message_bytes to at least "
                          "8192 or shorten the operands"));
  EXPECT_THAT(Check(range + "limits { max_message_bytes: 8192 }\n"), IsEmpty());
}

TEST(ConfigCheckTest, AFunctionIdHasOneOwner) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"trng\" builtin {} }\n"
                    "provider { name: \"mine\" external { allow_uid: 0 }\n"
                    "  range { first: 0xC4000000 last: 0xC40000FF }\n"
                    "  range { first: 0xC6000000 last: 0xC60000FF } }\n"
                    "provider { name: \"other\" external { allow_uid: 0 }\n"
                    "  range { first: 0xC60000FF last: 0xC6000100 } }\n"),
              ElementsAre("4:3: range 0xc4000000-0xc40000ff overlaps range 0xc4000050-0xc400005f "
                          "of provider \"trng\" (line 2): a function ID has one owner",
                          "7:3: range 0xc60000ff-0xc6000100 overlaps range 0xc6000000-0xc60000ff "
                          "of provider \"mine\" (line 5): a function ID has one owner"));
}

TEST(ConfigCheckTest, DefaultClaimsThatOverlapAreReportedAtTheirProvider) {
  // trng's ranges are not spelled out: its problem is at its provider block.
  EXPECT_THAT(Check("version: 1\nprovider { name: \"mine\" external { allow_uid: 0 }\n"
                    "  range { first: 0x84000000 last: 0x840000FF } }\n"
                    "\nprovider { name: \"trng\" builtin {} }\n"),
              ElementsAre("5:1: range 0x84000050-0x8400005f overlaps range 0x84000000-0x840000ff "
                          "of provider \"mine\" (line 3): a function ID has one owner"));
}

TEST(ConfigCheckTest, VmRulesHaveAPatternThatCanApply) {
  EXPECT_THAT(Check("version: 1\nvm { provider: \"trng\" }\nvm { name: \"a*\" }\n"
                    "vm { name: \"a*\" }\nvm { name: \"*\" }\nvm { name: \"b\" }\n"),
              ElementsAre("2:1: vm rule needs a name pattern (\"*\" matches every VM)",
                          "4:6: vm rule \"a*\" never applies: the rule at line 3 has the same "
                          "pattern",
                          "6:6: vm rule \"b\" never applies: the rule at line 5 matches every VM "
                          "first"));
}

TEST(ConfigCheckTest, VmRulesNameProvidersThatExist) {
  EXPECT_THAT(Check("version: 1\nprovider { name: \"probe\" builtin {} }\n"
                    "vm { name: \"*\" provider: \"probe\" provider: \"nope\" }\n"),
              ElementsAre("3:34: vm rule \"*\" names provider \"nope\", which is not defined"));
  // Without provider blocks, the catalog's default-on built-ins are what exists.
  EXPECT_THAT(Check("version: 1\nvm { name: \"*\" provider: \"trng\" provider: \"probe\" }\n"),
              ElementsAre("2:33: vm rule \"*\" names provider \"probe\", which is not defined"));
}

TEST(ConfigCheckTest, VmRulesAllowUnitsThatAreServicesOrScopes) {
  EXPECT_THAT(
      Check("version: 1\nvm { name: \"a-*\" allow_unit: \"qemu-a.service\"\n"
            "  allow_unit: \"qemu-a\" allow_unit: \".service\" allow_unit: \"a/b.scope\"\n"
            "  allow_unit: \"x@y@z.service\" allow_unit: \"a.slice\" }\n"),
      ElementsAre("3:3: vm rule \"a-*\": allow_unit \"qemu-a\" is not the name of a systemd "
                  "service or scope (e.g. \"qemu-tenant-a.service\")",
                  "3:24: vm rule \"a-*\": allow_unit \".service\" is not the name of a systemd "
                  "service or scope (e.g. \"qemu-tenant-a.service\")",
                  "3:47: vm rule \"a-*\": allow_unit \"a/b.scope\" is not the name of a systemd "
                  "service or scope (e.g. \"qemu-tenant-a.service\")",
                  "4:3: vm rule \"a-*\": allow_unit \"x@y@z.service\" is not the name of a "
                  "systemd service or scope (e.g. \"qemu-tenant-a.service\")",
                  "4:31: vm rule \"a-*\": allow_unit \"a.slice\" is not the name of a systemd "
                  "service or scope (e.g. \"qemu-tenant-a.service\")"));
}

TEST(ConfigCheckTest, SocketPathsAreAbsoluteAndDistinct) {
  EXPECT_THAT(Check("version: 1\nsockets {\n  vmm { path: \"vmm.sock\" }\n"
                    "  provider { path: \"/a\" }\n  observer { path: \"/a\" }\n}\n"),
              ElementsAre("3:9: vmm socket path \"vmm.sock\" must be absolute",
                          "5:14: observer socket path \"/a\" is already the provider socket's"));
}

TEST(ConfigCheckTest, SocketOwnersAndGroupsExistAndModesArePermissions) {
  EXPECT_THAT(Check("version: 1\nsockets {\n  vmm { owner: \"no-such-user-hc\" }\n"
                    "  provider { group: \"no-such-group-hc\" }\n  observer { mode: 660 }\n}\n"),
              ElementsAre("3:9: vmm socket owner: no user \"no-such-user-hc\" on this system",
                          "4:14: provider socket group: no group \"no-such-group-hc\" on this "
                          "system",
                          "5:14: observer socket mode 01224 has bits beyond 0777 (write it in "
                          "octal, e.g. 0660)"));
  // Numbers are ids, taken as they are; "root" exists everywhere.
  EXPECT_THAT(Check("version: 1\nsockets { vmm { owner: \"4242\" group: \"4242\" mode: 0777 }\n"
                    "  observer { owner: \"root\" group: \"root\" } }\n"),
              IsEmpty());
}

TEST(ConfigCheckTest, LimitsAreWithinTheirRange) {
  EXPECT_THAT(Check("version: 1\nlimits {\n  call_deadline_ms: 0\n  max_message_bytes: 4194305\n"
                    "  max_sessions: 1\n}\n"),
              ElementsAre("3:3: call_deadline_ms 0 is out of range: 1-60000",
                          "4:3: max_message_bytes 4194305 is out of range: 4096-4194304"));
}

TEST(ConfigCheckTest, EveryProblemIsReportedInFileOrder) {
  EXPECT_THAT(Check("limits { max_sessions: 0 }\nvm { name: \"*\" provider: \"x\" }\n"
                    "provider { name: \"Y\" builtin {} }\n"),
              ElementsAre("0:0: version is missing: start the file with \"version: 1\"",
                          "1:10: max_sessions 0 is out of range: 1-65536",
                          "2:16: vm rule \"*\" names provider \"x\", which is not defined",
                          "3:12: provider name \"Y\" is not 1-32 characters of a-z, 0-9, '_' and "
                          "'-'",
                          "3:22: there is no built-in provider \"Y\"; built-in providers are: "
                          "probe, trng"));
}

TEST(ConfigCheckTest, WithoutLocationsProblemsHaveNoPlace) {
  v1::Config config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "version: 2\nlimits { call_deadline_ms: 0 }\n", &config));
  EXPECT_THAT(Describe(CheckConfig(config, nullptr, Catalog())),
              ElementsAre("0:0: version 2 is not one this hypercalld reads; it reads version 1",
                          "0:0: call_deadline_ms 0 is out of range: 1-60000"));
}

}  // namespace
}  // namespace hypercall::config
