// A real hypercalld on a temporary runtime dir and the shim options that
// point at it, with the shim's log lines captured for assertions.
#ifndef HYPERCALL_TESTS_SUPPORT_SHIM_TEST_FIXTURE_H_
#define HYPERCALL_TESTS_SUPPORT_SHIM_TEST_FIXTURE_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "support/daemon_process.h"

namespace hypercall::shim::testing {

// What a test puts in xi (plus i) before a call, so a register the call must
// leave alone shows if it was written.
inline constexpr uint64_t kUntouched = 0x5e5e000000000000;

// Issues `fid` with `args` on `vcpu`, every register after the arguments
// holding kUntouched + i.
inline void IssueMarked(SimulatedVcpu& vcpu, uint32_t fid, std::initializer_list<uint64_t> args) {
  vcpu.Issue(fid, args);
  for (int i = static_cast<int>(args.size()) + 1; i < smccc::kNumRegisters; ++i) {
    vcpu.set_x(i, kUntouched + i);
  }
}

class ShimWithDaemonTest : public ::testing::Test {
 protected:
  // Short enough to keep failure tests quick, long enough for a loaded
  // 2-core machine to answer a healthy call.
  static constexpr std::chrono::milliseconds kCallDeadline{500};

  void SetUp() override;
  // hypercalld's arguments besides --runtime-dir; none by default.
  virtual std::vector<std::string> DaemonArgs() const { return {}; }

  // Options for the daemon under test, logging into log_lines().
  ShimOptions Options();
  // A VM description with `vcpus` vCPUs and one RAM region.
  static VmDescription Vm(const std::string& name, uint32_t vcpus = 1);
  // Connects `name`, failing the test on error.
  std::unique_ptr<Shim> ConnectOrDie(const std::string& name, uint32_t vcpus = 1);
  // Connects `vm` with `memory`, failing the test on error.
  std::unique_ptr<Shim> ConnectOrDie(const VmDescription& vm, GuestMemory* memory);
  // Whether a captured log line contains `text`.
  bool Logged(const std::string& text);
  // How many captured log lines contain `text`.
  int TimesLogged(const std::string& text);

  std::unique_ptr<hypercall::testing::DaemonProcess> daemon_;

 private:
  absl::Mutex log_mu_;
  std::vector<std::string> log_lines_ ABSL_GUARDED_BY(log_mu_);
};

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_SUPPORT_SHIM_TEST_FIXTURE_H_
