#include "vmm_options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<VmmOptions> Parse(std::vector<std::string> args) { return ParseVmmOptions(args); }

TEST(VmmOptionsTest, DefaultsWithARawGuest) {
  absl::StatusOr<VmmOptions> o = Parse({"--guest", "g.bin"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->guest, "g.bin");
  EXPECT_EQ(o->cpus, 1u);
  EXPECT_EQ(o->memory_mib, 256u);
  EXPECT_EQ(o->runtime_dir, "/run/hypercalld");
  EXPECT_EQ(o->call_deadline_ms, 1000u);
  EXPECT_FALSE(o->stats);
  EXPECT_TRUE(o->name.empty());
}

TEST(VmmOptionsTest, EveryFlagInBothSpellings) {
  absl::StatusOr<VmmOptions> o = Parse(
      {"--name=vm1", "--cpus", "4", "--memory=512", "--kernel", "Image", "--initrd=rd", "--append",
       "console=ttyS0 quiet", "--runtime-dir=/tmp/h", "--call-deadline-ms", "250", "--stats"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->name, "vm1");
  EXPECT_EQ(o->cpus, 4u);
  EXPECT_EQ(o->memory_mib, 512u);
  EXPECT_EQ(o->kernel, "Image");
  EXPECT_EQ(o->initrd, "rd");
  EXPECT_EQ(o->append, "console=ttyS0 quiet");
  EXPECT_EQ(o->runtime_dir, "/tmp/h");
  EXPECT_EQ(o->call_deadline_ms, 250u);
  EXPECT_TRUE(o->stats);
}

TEST(VmmOptionsTest, AppendMayBeEmpty) {
  absl::StatusOr<VmmOptions> o = Parse({"--kernel", "Image", "--append="});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->append, "");
}

TEST(VmmOptionsTest, HelpNeedsNothingElse) {
  absl::StatusOr<VmmOptions> o = Parse({"--help"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->show_help);
  EXPECT_THAT(VmmUsage(), HasSubstr("--kernel IMAGE"));
}

TEST(VmmOptionsTest, ExactlyOneOfGuestAndKernel) {
  EXPECT_THAT(Parse({}).status().message(), HasSubstr("exactly one of --guest"));
  EXPECT_THAT(Parse({"--guest", "a", "--kernel", "b"}).status().message(),
              HasSubstr("exactly one of --guest"));
}

TEST(VmmOptionsTest, InitrdAndAppendOnlyWithKernel) {
  EXPECT_THAT(Parse({"--guest", "a", "--initrd", "b"}).status().message(),
              HasSubstr("go with --kernel"));
  EXPECT_THAT(Parse({"--guest", "a", "--append", "x"}).status().message(),
              HasSubstr("go with --kernel"));
}

TEST(VmmOptionsTest, RejectsBadNumbersNamingTheFlagAndRange) {
  EXPECT_THAT(Parse({"--guest", "a", "--cpus", "0"}).status().message(),
              HasSubstr("--cpus must be a whole number from 1 to 123 (got '0')"));
  EXPECT_THAT(Parse({"--guest", "a", "--cpus", "124"}).status().message(), HasSubstr("--cpus"));
  EXPECT_THAT(Parse({"--guest", "a", "--memory", "2"}).status().message(),
              HasSubstr("--memory must be a whole number from 4"));
  EXPECT_THAT(Parse({"--guest", "a", "--memory", "12x"}).status().message(),
              HasSubstr("got '12x'"));
  EXPECT_THAT(Parse({"--guest", "a", "--call-deadline-ms", "-5"}).status().message(),
              HasSubstr("--call-deadline-ms"));
}

TEST(VmmOptionsTest, RejectsUnknownFlagsMissingValuesAndEmptyPaths) {
  EXPECT_THAT(Parse({"--guest", "a", "--vcpus", "2"}).status().message(),
              HasSubstr("unknown argument '--vcpus'"));
  EXPECT_THAT(Parse({"--guest"}).status().message(), HasSubstr("--guest needs a value"));
  EXPECT_THAT(Parse({"--guest="}).status().message(), HasSubstr("--guest needs a value"));
  EXPECT_THAT(Parse({"--guest", ""}).status().message(), HasSubstr("--guest must not be empty"));
  EXPECT_THAT(Parse({"--guest", "a", "--stats=1"}).status().message(),
              HasSubstr("--stats takes no value"));
}

}  // namespace
}  // namespace hypercall::vmm
