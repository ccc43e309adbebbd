// The providers' config options in the real daemon: hypercalld started
// with a config file whose kvm_discover and hyperv blocks set what a guest
// reads, driven through the shim. DISCOVER_IMPL_VER and DISCOVER_IMPL_CPUS
// answer the configured implementations register by register (an index
// past the last: INVALID_PARAMETER, the other registers untouched); the
// hyperv identity registers answer the configured words. These are the
// values daemon/README.md's examples give.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "hypercall/shim/simulated_vcpu.h"
#include "support/shim_test_fixture.h"

namespace hypercall::shim::testing {
namespace {

constexpr char kConfig[] = R"(version: 1
provider {
  name: "kvm_discover"
  builtin { [options/kvm_discover] {
    version: 0x10000
    implementation { midr: 0x410fd0c1 revidr: 0x1 aidr: 0x0 }
    implementation { midr: 0x481fd010 revidr: 0x0 aidr: 0x551 }
  } }
}
provider {
  name: "hyperv"
  builtin { [options/hyperv] {
    major_version: 10 minor_version: 1 build_number: 26100
    service_pack: 2 service_branch: 3 service_number: 4005
    privileges_low: 0x2062 privileges_high: 0x10 misc_features: 0x20 hints: 0x40
  } }
}
)";

constexpr uint32_t kImplVer = 0xc6000040;
constexpr uint32_t kImplCpus = 0xc6000041;
constexpr uint32_t kHvCall = 0x46000001;
constexpr uint64_t kFastGetRep1 = 0x50 | uint64_t{1} << 16 | uint64_t{1} << 32;
constexpr uint64_t kPartitionSelf = ~uint64_t{0};
constexpr uint64_t kVpSelf = 0xfffffffe;

// Writes kConfig to a file the daemon is started with, removed at the end.
class ConfigFile {
 public:
  ConfigFile() {
    int fd = mkstemp(path_);
    if (fd >= 0) close(fd);
    std::ofstream(path_) << kConfig;
  }
  ~ConfigFile() { std::remove(path_); }
  std::string path() const { return path_; }

 private:
  char path_[64] = "/tmp/hypercalld-kvm-discover-XXXXXX";
};

class ConfiguredProvidersTest : public ShimWithDaemonTest {
 protected:
  std::vector<std::string> DaemonArgs() const override { return {"--config", config_.path()}; }

  void SetUp() override {
    ShimWithDaemonTest::SetUp();
    if (HasFatalFailure()) return;
    shim_ = ConnectOrDie("discover-vm", 2);
    ASSERT_NE(shim_, nullptr);
  }

  // Issues `fid` with `args` on vCPU `vcpu`, every other register marked.
  void Call(uint32_t vcpu, uint32_t fid, std::initializer_list<uint64_t> args) {
    IssueMarked(vcpu_, fid, args);
    absl::StatusOr<CallOutcome> outcome = shim_->HandleHypercall(vcpu, vcpu_);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->disposition, Disposition::kBrokered) << outcome->detail;
  }

  ConfigFile config_;
  std::unique_ptr<Shim> shim_;
  SimulatedVcpu vcpu_;
};

TEST_F(ConfiguredProvidersTest, KvmDiscoverAnswersTheConfiguredImplementations) {
  Call(0, kImplVer, {0});
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 0x10000u);
  EXPECT_EQ(vcpu_.x(2), 2u);
  EXPECT_EQ(vcpu_.x(3), 0u);
  EXPECT_EQ(vcpu_.x(4), kUntouched + 4);

  const uint64_t expected[2][3] = {{0x410fd0c1, 0x1, 0x0}, {0x481fd010, 0x0, 0x551}};
  for (uint64_t i = 0; i < 2; ++i) {
    Call(1, kImplCpus, {i, 0, 0});
    EXPECT_EQ(vcpu_.x(0), 0u) << i;
    EXPECT_EQ(vcpu_.x(1), expected[i][0]) << i;
    EXPECT_EQ(vcpu_.x(2), expected[i][1]) << i;
    EXPECT_EQ(vcpu_.x(3), expected[i][2]) << i;
    EXPECT_EQ(vcpu_.x(4), kUntouched + 4) << i;
  }

  Call(0, kImplCpus, {2, 0, 0});
  EXPECT_EQ(vcpu_.x(0), 0xfffffffffffffffdu);  // INVALID_PARAMETER.
  EXPECT_EQ(vcpu_.x(1), 2u);
  EXPECT_EQ(vcpu_.x(2), 0u);
  EXPECT_EQ(vcpu_.x(3), 0u);
}

TEST_F(ConfiguredProvidersTest, HypervAnswersTheConfiguredIdentityRegisters) {
  const struct {
    uint32_t name;
    uint64_t low, high;
  } expected[] = {
      {0x100, 0x000a0001000065f4, 0x03000fa500000002},
      {0x200, 0x0000001000002062, 0x20},
      {0x201, 0x40, 0},
  };
  for (const auto& reg : expected) {
    Call(1, kHvCall, {kFastGetRep1, kPartitionSelf, kVpSelf, reg.name});
    EXPECT_EQ(vcpu_.x(0), uint64_t{1} << 32) << std::hex << reg.name;
    EXPECT_EQ(vcpu_.x(6), reg.low) << std::hex << reg.name;
    EXPECT_EQ(vcpu_.x(7), reg.high) << std::hex << reg.name;
  }
}

}  // namespace
}  // namespace hypercall::shim::testing
