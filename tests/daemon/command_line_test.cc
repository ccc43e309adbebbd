#include "command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::daemon {
namespace {

using ::testing::HasSubstr;

TEST(CommandLineTest, DefaultsWithoutFlags) {
  auto line = ParseCommandLine({});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/run/hypercalld");
  EXPECT_EQ(line->log_level, LogLevel::kInfo);
  EXPECT_FALSE(line->show_help || line->show_version);
  EXPECT_FALSE(line->providers.has_value());
}

TEST(CommandLineTest, ValuesAsNextArgumentOrAfterEquals) {
  auto line = ParseCommandLine({"--runtime-dir", "/tmp/x", "--log-level=debug"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/tmp/x");
  EXPECT_EQ(line->log_level, LogLevel::kDebug);
  line = ParseCommandLine({"--runtime-dir=/tmp/y", "--log-level", "error", "--version"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->runtime_dir, "/tmp/y");
  EXPECT_EQ(line->log_level, LogLevel::kError);
  EXPECT_TRUE(line->show_version);
}

TEST(CommandLineTest, RefusesWhatItDoesNotKnow) {
  EXPECT_THAT(ParseCommandLine({"--bogus"}).status().message(), HasSubstr("'--bogus'"));
  EXPECT_THAT(ParseCommandLine({"stray"}).status().message(), HasSubstr("'stray'"));
  EXPECT_THAT(ParseCommandLine({"--runtime-dir"}).status().message(), HasSubstr("needs a value"));
  EXPECT_THAT(ParseCommandLine({"--log-level", "loud"}).status().message(),
              HasSubstr("debug, info, warning or error"));
  EXPECT_FALSE(ParseCommandLine({"--runtime-dir="}).ok());
}

TEST(CommandLineTest, ProvidersTakesACommaSeparatedListInItsOrder) {
  auto line = ParseCommandLine({"--providers", "trng,probe"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->providers, (std::vector<std::string>{"trng", "probe"}));
  line = ParseCommandLine({"--providers=probe"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->providers, std::vector<std::string>{"probe"});
}

TEST(CommandLineTest, ProvidersRefusesUnknownRepeatedAndEmptyNames) {
  EXPECT_EQ(
      ParseCommandLine({"--providers", "trng,nope"}).status().message(),
      "--providers: unknown provider 'nope' (known: hyperv, kvm_discover, probe, pvtime, trng)");
  EXPECT_THAT(ParseCommandLine({"--providers", "trng,trng"}).status().message(),
              HasSubstr("'trng' twice"));
  for (const char* list : {"", ",", "trng,", ",probe", "trng,,probe"}) {
    EXPECT_THAT(ParseCommandLine({"--providers", list}).status().message(),
                HasSubstr("comma-separated names"))
        << list;
  }
  EXPECT_THAT(ParseCommandLine({"--providers"}).status().message(), HasSubstr("needs a value"));
}

TEST(CommandLineTest, SocketGroupTakesRoleEqualsGroupOncePerRole) {
  auto line =
      ParseCommandLine({"--socket-group", "vmm=hypercall-vmm", "--socket-group=observer=4242"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->socket_groups, (SocketGroups{{"vmm", "hypercall-vmm"}, {"observer", "4242"}}));
  EXPECT_THAT(ParseCommandLine({"--socket-group", "tenant=x"}).status().message(),
              HasSubstr("ROLE vmm, provider or observer (got 'tenant=x')"));
  EXPECT_THAT(ParseCommandLine({"--socket-group", "vmm"}).status().message(),
              HasSubstr("takes ROLE=GROUP"));
  EXPECT_THAT(ParseCommandLine({"--socket-group", "vmm="}).status().message(),
              HasSubstr("needs a group name or number"));
  EXPECT_THAT(
      ParseCommandLine({"--socket-group", "vmm=a", "--socket-group", "vmm=b"}).status().message(),
      HasSubstr("names vmm twice"));
}

TEST(CommandLineTest, AGroupTheConfigNamesWinsOverSocketGroup) {
  config::v1::Config config;
  config.mutable_sockets()->mutable_observer()->set_group("operators");
  const config::v1::Config grouped =
      WithSocketGroups(config, {{"observer", "hypercall-observer"}, {"vmm", "hypercall-vmm"}});
  EXPECT_EQ(grouped.sockets().observer().group(), "operators");
  EXPECT_EQ(grouped.sockets().vmm().group(), "hypercall-vmm");
  EXPECT_EQ(grouped.sockets().provider().group(), "");
}

TEST(CommandLineTest, HelpListsTheProvidersAndTheDefault) {
  EXPECT_THAT(Usage(), HasSubstr("--providers LIST"));
  EXPECT_THAT(Usage(),
              HasSubstr("(known: hyperv, kvm_discover, probe, pvtime, trng; default trng)"));
}

}  // namespace
}  // namespace hypercall::daemon
