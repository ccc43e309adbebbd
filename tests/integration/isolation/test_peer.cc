// A peer of the daemon that the isolation suites run as another uid (or as
// another process) to make an attack or hold something: it attaches VMs or
// opens provider streams over the real sockets and prints one line for each.
//   hypercall-test-peer [--hold] attach RUNTIME_DIR NAME...
//     attaches each NAME (1 vCPU) in turn, keeping them all attached
//   hypercall-test-peer [--hold] serve RUNTIME_DIR PROVIDER COUNT
//     opens COUNT provider streams saying hello as PROVIDER, keeping them
// Each line is "NAME: attached", "stream N: serving" or "...: refused CODE:
// message". With --hold it then stays until killed, also once the daemon
// is gone (a VMM that outlives a daemon restart). Exit 0 when it ran
// (whatever the daemon said), 2 on misuse.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "support/test_vm.h"
#include "test_provider.h"

namespace {

using hypercall::testing::Connect;
using hypercall::testing::TestProvider;
using hypercall::testing::TestVm;

void Say(const std::string& what, const absl::Status& status, const std::string& ok) {
  if (status.ok()) {
    std::printf("%s: %s\n", what.c_str(), ok.c_str());
  } else {
    std::printf("%s: refused %s: %s\n", what.c_str(),
                absl::StatusCodeToString(status.code()).c_str(),
                std::string(status.message()).c_str());
  }
  std::fflush(stdout);
}

int Usage() {
  std::fprintf(stderr,
               "usage: hypercall-test-peer [--hold] attach RUNTIME_DIR NAME... | [--hold] serve "
               "RUNTIME_DIR PROVIDER COUNT\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool hold = !args.empty() && args[0] == "--hold";
  if (hold) args.erase(args.begin());
  if (args.size() < 3) return Usage();
  const std::string& mode = args[0];
  const std::string& dir = args[1];
  std::vector<std::unique_ptr<TestVm>> vms;
  std::vector<std::unique_ptr<TestProvider>> streams;
  if (mode == "attach") {
    for (size_t i = 2; i < args.size(); ++i) {
      absl::StatusOr<std::unique_ptr<TestVm>> vm =
          TestVm::Attach(Connect("unix:" + dir + "/vmm.sock"), args[i], 1);
      Say(args[i], vm.status(), "attached");
      if (vm.ok()) vms.push_back(*std::move(vm));
    }
  } else if (mode == "serve" && args.size() == 4) {
    const int count = std::atoi(args[3].c_str());
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<std::unique_ptr<TestProvider>> stream =
          TestProvider::Connect("unix:" + dir + "/provider.sock", args[2]);
      Say("stream " + std::to_string(i), stream.status(), "serving");
      if (stream.ok()) streams.push_back(*std::move(stream));
    }
  } else {
    return Usage();
  }
  while (hold) pause();
  return 0;
}
