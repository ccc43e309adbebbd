// The config file as an operator writes it: what parses, and for what does
// not, that the message names the line and says what to fix.
#include "config/config_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_format.h"
#include "config/builtin_options.h"
#include "gmock/gmock.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"

namespace hypercall::config {
namespace {

using ::testing::HasSubstr;

// Stand-ins for built-in providers, as the registry would describe them:
// names and claims like the real ones', and two that take options (the
// well-known Duration and Timestamp messages, so config/ needs no provider).
BuiltinCatalog Catalog() {
  BuiltinCatalog catalog;
  catalog["trng"].default_claims = {{0x84000050, 0x8400005F}, {0xC4000050, 0xC400005F}};
  catalog["trng"].default_on = true;
  catalog["probe"].default_claims = {{0x83000000, 0x8300000F}, {0xC3000000, 0xC300000F}};
  catalog["hyperv"].default_claims = {{0x46000001, 0x46000001}, {0x8600FF01, 0x8600FF01}};
  catalog["ticker"].default_claims = {{0xC6000040, 0xC6000040}, {0xC6000041, 0xC6000041}};
  catalog["ticker"].options_prototype = &google::protobuf::Duration::default_instance();
  // Needs seconds, at most 60.
  catalog["ticker"].check_options = [](const google::protobuf::Message& message,
                                       const Place& place) {
    const auto& options = static_cast<const google::protobuf::Duration&>(message);
    std::vector<ConfigProblem> problems;
    if (options.seconds() == 0) problems.push_back(place.Problem("ticker needs seconds"));
    if (options.seconds() > 60) {
      problems.push_back(place.Field("seconds").Problem(
          absl::StrFormat("seconds %d is above 60", options.seconds())));
    }
    return problems;
  };
  catalog["clock"].default_claims = {{0xC6000050, 0xC6000050}};
  catalog["clock"].options_prototype = &google::protobuf::Timestamp::default_instance();
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
              HasSubstr("there is no built-in provider \"tpm\"; built-in providers are: clock, "
                        "hyperv, probe, ticker, trng"));
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
      "provider { name: \"ticker\" builtin { [options/ticker] { seconds: 5 nanos: 7 } } }\n"
      "provider { name: \"clock\"\n"
      "  builtin { [type.googleapis.com/google.protobuf.Timestamp] { seconds: 9 } } }\n",
      "test.conf", Catalog());
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ticker =
      UnpackBuiltinOptions("ticker", config->provider(0).builtin(), Catalog());
  ASSERT_TRUE(ticker.ok()) << ticker.status();
  EXPECT_EQ((*ticker)->ShortDebugString(), "seconds: 5 nanos: 7");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> clock =
      UnpackBuiltinOptions("clock", config->provider(1).builtin(), Catalog());
  ASSERT_TRUE(clock.ok()) << clock.status();
  EXPECT_EQ((*clock)->ShortDebugString(), "seconds: 9");
  // Without a block a provider gets its defaults; clock has no checks.
  EXPECT_EQ(Problems("version: 1\nprovider { name: \"clock\" builtin {} }\n"), "");
  EXPECT_EQ(*UnpackBuiltinOptions("clock", google::protobuf::Any(), Catalog()), nullptr);
}

TEST(ConfigFileTest, AnOptionsBlockForAnotherProviderIsRefusedWhereItIs) {
  EXPECT_THAT(Problems("version: 1\nprovider {\n  name: \"clock\"\n"
                       "  builtin { [options/ticker] { seconds: 1 } }\n}\n"),
              HasSubstr("test.conf:4:3: a [options/ticker] block is for built-in provider "
                        "\"ticker\", not \"clock\": write \"[options/clock] { ... }\""));
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin { [options/ticker] {} } }\n"),
              HasSubstr("test.conf:2:25: a [options/ticker] block is for built-in provider "
                        "\"ticker\", not \"trng\", which takes no options: write \"builtin {}\""));
  EXPECT_THAT(
      Problems("version: 1\nprovider { name: \"ticker\"\n"
               "  builtin { [type.googleapis.com/google.protobuf.Empty] {} } }\n"),
      HasSubstr("test.conf:3:3: a [type.googleapis.com/google.protobuf.Empty] block holds no "
                "built-in provider's options, not \"ticker\": write \"[options/ticker] { ... }\""));
}

TEST(ConfigFileTest, AnOptionsBlockNamingNoProviderIsASyntaxErrorWhereItIs) {
  EXPECT_THAT(
      Problems("version: 1\nprovider { name: \"trng\" builtin {\n  [options/nope] {} } }\n"),
      HasSubstr("test.conf:3:18: Could not find type \"options/nope\" stored in "
                "google.protobuf.Any."));
  // A provider taking no options has no options type to name.
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"trng\" builtin { [options/trng] {} } }\n"),
              HasSubstr("Could not find type \"options/trng\""));
  // Its fields are the options message's own.
  EXPECT_THAT(
      Problems("version: 1\nprovider { name: \"ticker\" builtin { [options/ticker] {\n"
               "  seconds: 1\n  minutes: 2 } } }\n"),
      HasSubstr("test.conf:4:10: Message type \"google.protobuf.Duration\" has no field named "
                "\"minutes\"."));
}

TEST(ConfigFileTest, TheProvidersOwnCheckNamesTheLineOfItsField) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"ticker\" builtin { [options/ticker] {\n"
                       "  nanos: 1\n    seconds: 61 } } }\n"),
              HasSubstr("test.conf:4:5: seconds 61 is above 60"));
  // Without a block its check sees the defaults, and speaks of the block.
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"ticker\"\n  builtin {} }\n"),
              HasSubstr("test.conf:3:3: ticker needs seconds"));
  EXPECT_EQ(Problems("version: 1\nprovider { name: \"ticker\" builtin { [options/ticker] {\n"
                     "  seconds: 60 } } }\n"),
            "");
}

TEST(ConfigFileTest, ABuiltinClaimsOnlyWithinItsDefaultClaims) {
  EXPECT_THAT(Problems("version: 1\nprovider { name: \"ticker\" builtin { [options/ticker] {\n"
                       "  seconds: 1 } }\n"
                       "  range { first: 0xC6000040 last: 0xC6000042 } }\n"),
              HasSubstr("test.conf:4:3: range 0xc6000040-0xc6000042 is outside what built-in "
                        "provider \"ticker\" may claim (0xc6000040-0xc6000040, "
                        "0xc6000041-0xc6000041)"));
}

}  // namespace
}  // namespace hypercall::config
