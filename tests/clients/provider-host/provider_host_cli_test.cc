// hypercall-provider-host's command line, run as a process: bad arguments,
// unknown providers and options the text parser, the config checks or the
// provider refuse exit 2 saying what is wrong; --help exits 0; and
// --print-config prints, for every built-in provider, a block whose ranges
// are the provider's claims (registers read, memory operands with their
// conditions, in order) and which hypercalld --check-config accepts.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "builtin_factory.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "hypercall/config/v1/config.pb.h"
#include "providers/provider_registry.h"
#include "support/daemon_process.h"
#include "wire/convert.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kKvmDiscoverOptions[] = "implementation { midr: 0x410fd0c1 }";

CommandResult Host(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath("hypercall-provider-host"));
  return RunCommand(args);
}

struct Refusal {
  std::vector<std::string> args;
  std::string message;
};

TEST(ProviderHostCliTest, RefusesBadArgumentsWithExitTwoSayingWhy) {
  const Refusal refusals[] = {
      {{}, "--provider NAME is required"},
      {{"--provider"}, "--provider needs a value"},
      {{"--provider", "pvtime", "--frobnicate", "1"}, "unknown argument '--frobnicate'"},
      {{"--provider", "pvtime", "--workers", "0"},
       "--workers must be a whole number from 1 to 1024 (got '0')"},
      {{"--provider", "pvtime", "--workers", "4x"},
       "--workers must be a whole number from 1 to 1024 (got '4x')"},
      {{"--provider", "nope"},
       "there is no built-in provider \"nope\"; built-in providers are: hyperv, kvm_discover, "},
      {{"--provider", "kvm_discover"}, "needs the CPU implementations a VM may run on"},
      {{"--provider", "kvm_discover", "--options", "implementation { midr: }"}, "--options 1:"},
      {{"--provider", "kvm_discover", "--options", "implementation {\n  midr: 0x1410fd0c1 }"},
       "--options 2:3: midr 0x1410fd0c1 has bits above 31 set"},
      {{"--provider", "hyperv", "--options", "major_version: 70000"},
       "--options 1:1: major_version 70000 does not fit its field"},
      {{"--provider", "pvtime", "--options", kKvmDiscoverOptions},
       "built-in provider \"pvtime\" takes no options"},
  };
  for (const Refusal& refusal : refusals) {
    const CommandResult result = Host(refusal.args);
    EXPECT_EQ(result.exit_code, 2) << refusal.message;
    EXPECT_THAT(result.err, HasSubstr(refusal.message));
    EXPECT_EQ(result.out, "") << refusal.message;
  }
}

TEST(ProviderHostCliTest, HelpPrintsUsageAndExitsZero) {
  const CommandResult result = Host({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("Usage: hypercall-provider-host --provider NAME"));
  // The providers this build has, from their registrations.
  EXPECT_THAT(result.out, HasSubstr("Built-in providers: " +
                                    absl::StrJoin(providers::RegisteredProviderNames(), ", ")));
}

// The options each built-in is hosted with: kvm_discover needs some.
std::string OptionsFor(const std::string& name) {
  return name == "kvm_discover" ? kKvmDiscoverOptions : "";
}

TEST(ProviderHostCliTest, PrintConfigGivesEachBuiltinsClaimsAsAValidConfig) {
  std::string config_text = "version: 1\n";
  for (const std::string& name : providers::RegisteredProviderNames()) {
    SCOPED_TRACE(name);
    const CommandResult result = Host({"--provider", name, "--name", name + "-ext", "--options",
                                       OptionsFor(name), "--print-config"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    config::v1::Config printed;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(result.out, &printed)) << result.out;
    ASSERT_EQ(printed.provider_size(), 1) << result.out;
    const config::v1::Provider& provider = printed.provider(0);
    EXPECT_EQ(provider.name(), name + "-ext");
    EXPECT_THAT(provider.external().allow_uid(), ::testing::ElementsAre(getuid()));

    auto builtin = provider_host::MakeBuiltinProvider(name, OptionsFor(name));
    ASSERT_TRUE(builtin.ok()) << builtin.status();
    const std::vector<smccc::RangeClaim> claims = (*builtin)->Claims();
    ASSERT_EQ(provider.range_size(), static_cast<int>(claims.size())) << result.out;
    for (int i = 0; i < provider.range_size(); ++i) {
      const config::v1::FunctionRange& range = provider.range(i);
      EXPECT_EQ(range.first(), claims[i].range.first) << i;
      EXPECT_EQ(range.last(), claims[i].range.last) << i;
      smccc::RegisterMask reads = 0;
      for (uint32_t reg : range.reads()) reads |= smccc::RegisterMask{1} << reg;
      EXPECT_EQ(reads, claims[i].args_read_mask) << i;
      auto memory = wire::FromProto(range.memory());
      ASSERT_TRUE(memory.ok()) << memory.status();
      EXPECT_EQ(*memory, claims[i].memory) << i;
      EXPECT_EQ(range.secret_results(), claims[i].secret_results) << i;
    }
    absl::StrAppend(&config_text, result.out);
  }
  // hyperv's slow calls: two page operands, each passed only when its
  // condition on x1 holds.
  EXPECT_THAT(config_text, HasSubstr("when_mask: 0x10000"));
  // trng keeps its results secret, and so does its host.
  EXPECT_THAT(config_text, HasSubstr("secret_results: true"));

  char path[] = "/tmp/provider-host-config-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << config_text;
  const CommandResult check = RunCommand({HYPERCALLD_PATH, "--check-config", path});
  std::remove(path);
  EXPECT_EQ(check.exit_code, 0) << check.err << "\n" << config_text;
  EXPECT_THAT(check.out + check.err, HasSubstr(": OK"));
}

}  // namespace
}  // namespace hypercall::testing
