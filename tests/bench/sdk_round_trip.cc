#include "sdk_round_trip.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "shim_calls.h"
#include "support/daemon_process.h"
#include "support/provider_process.h"

namespace hypercall::bench {
namespace {

constexpr uint32_t kEcho = 0xC3000100;

// The example provider ("example"), served by this uid, with the ranges it
// claims (UPPER at +4 passes two guest buffers).
std::string Config() {
  return absl::StrFormat(R"(version: 1
provider {
  name: "example"
  external { allow_uid: %d }
  range { first: 0xC3000100 last: 0xC3000103 reads: [1, 2, 3] }
  range {
    first: 0xC3000104 last: 0xC3000104 reads: [1, 2]
    memory { address_register: 1 length: 64 direction: IN }
    memory { address_register: 2 length: 64 direction: OUT }
  }
  range { first: 0xC3000105 last: 0xC300010F reads: [1, 2, 3] }
}
)",
                         getuid());
}

// Removes the temporary directory it made, whatever happens.
class TempDir {
 public:
  TempDir() {
    char dir[] = "/tmp/hypercall-bench-XXXXXX";
    if (mkdtemp(dir) != nullptr) path_ = dir;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Issues ECHO(i, i+1, i+2); OK when it came back echoed.
absl::Status Echo(shim::Shim& shim, shim::SimulatedVcpu& vcpu, uint64_t i) {
  vcpu.Issue(kEcho, {i, i + 1, i + 2});
  absl::StatusOr<shim::CallOutcome> out = shim.HandleHypercall(0, vcpu);
  if (!out.ok()) return out.status();
  if (out->disposition != shim::Disposition::kBrokered || vcpu.x(0) != 0 || vcpu.x(1) != i ||
      vcpu.x(3) != i + 2) {
    return absl::InternalError(absl::StrFormat("ECHO %d: %s, x0 = 0x%x: %s", i,
                                               shim::DispositionName(out->disposition), vcpu.x(0),
                                               out->detail));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LatencySummary> MeasureSdkProviderRoundTrip(int server_cpu, int warmup, int calls) {
  TempDir dir;
  if (dir.path().empty()) return absl::InternalError("mkdtemp failed");
  const std::string config = dir.path() + "/hypercalld.conf";
  std::ofstream(config) << Config();
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon = testing::DaemonProcess::Start(
      {.extra_args = {"--config", config, "--log-level", "warning"}, .cpu = server_cpu});
  if (!daemon.ok()) return daemon.status();
  testing::ProviderProcess::Options provider_options;
  provider_options.argv = {testing::BinaryPath("hypercall-example-provider"), "--runtime-dir",
                           (*daemon)->runtime_dir()};
  provider_options.log_path = dir.path() + "/provider.log";
  provider_options.cpu = server_cpu;
  absl::StatusOr<std::unique_ptr<testing::ProviderProcess>> provider =
      testing::ProviderProcess::Start(provider_options);
  if (!provider.ok()) return provider.status();

  absl::StatusOr<std::unique_ptr<shim::Shim>> shim = ConnectBenchVm((*daemon)->runtime_dir());
  if (!shim.ok()) return shim.status();
  shim::SimulatedVcpu vcpu;

  // The provider connects on its own time: wait until it serves.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Echo(**shim, vcpu, 0).ok()) {
    if (std::chrono::steady_clock::now() > give_up) {
      return absl::DeadlineExceededError("the example provider never served: " +
                                         (*provider)->Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  return TimeCalls(warmup, calls, {(*daemon)->pid(), (*provider)->pid()},
                   [&](int i) { return Echo(**shim, vcpu, i); });
}

}  // namespace hypercall::bench
