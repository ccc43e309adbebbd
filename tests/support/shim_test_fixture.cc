#include "support/shim_test_fixture.h"

namespace hypercall::shim::testing {

void ShimWithDaemonTest::SetUp() {
  auto daemon = hypercall::testing::DaemonProcess::Start(DaemonArgs());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = *std::move(daemon);
}

ShimOptions ShimWithDaemonTest::Options() {
  ShimOptions options;
  options.runtime_dir = daemon_->runtime_dir();
  options.call_deadline = kCallDeadline;
  options.reconnect_backoff_initial = std::chrono::milliseconds(20);
  options.reconnect_backoff_max = std::chrono::milliseconds(200);
  options.software = "shim-integration-test/1";
  options.log = [this](LogSeverity, const std::string& line) {
    absl::MutexLock lock(&log_mu_);
    log_lines_.push_back(line);
  };
  return options;
}

VmDescription ShimWithDaemonTest::Vm(const std::string& name, uint32_t vcpus) {
  VmDescription vm;
  vm.name = name;
  vm.uuid = std::array<uint8_t, 16>{0x5e, 0x11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  vm.vcpu_count = vcpus;
  vm.ram = {{0x40000000, 256 << 20}};
  return vm;
}

std::unique_ptr<Shim> ShimWithDaemonTest::ConnectOrDie(const std::string& name, uint32_t vcpus) {
  return ConnectOrDie(Vm(name, vcpus), nullptr);
}

std::unique_ptr<Shim> ShimWithDaemonTest::ConnectOrDie(const VmDescription& vm,
                                                       GuestMemory* memory) {
  auto shim = Shim::Connect(vm, Options(), memory);
  EXPECT_TRUE(shim.ok()) << shim.status() << "\ndaemon log:\n" << daemon_->Log();
  return shim.ok() ? *std::move(shim) : nullptr;
}

bool ShimWithDaemonTest::Logged(const std::string& text) {
  absl::MutexLock lock(&log_mu_);
  for (const std::string& line : log_lines_) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

int ShimWithDaemonTest::TimesLogged(const std::string& text) {
  absl::MutexLock lock(&log_mu_);
  int times = 0;
  for (const std::string& line : log_lines_) {
    if (line.find(text) != std::string::npos) ++times;
  }
  return times;
}

}  // namespace hypercall::shim::testing
