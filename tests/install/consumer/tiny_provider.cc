// A provider built out of tree against the installed libhypercall-provider-sdk:
// serves "tiny" (0xC3000000-0xC30000FF, reading x1) for the hypercalld under
// RUNTIME_DIR, answering every call x0 = 0, x1 = x1 + 1, until SIGTERM.
#include <cstdio>
#include <string_view>
#include <vector>

#include "hypercall/provider/provider.h"
#include "hypercall/provider/runner.h"

namespace {

class TinyProvider final : public hypercall::provider::SyncProvider {
 public:
  std::string_view name() const override { return "tiny"; }
  std::vector<hypercall::provider::RangeClaim> Claims() const override {
    return {{{0xC3000000, 0xC30000FF}, 0x2, {}}};
  }
  hypercall::smccc::Result Answer(const hypercall::provider::CallContext&,
                                  const hypercall::smccc::Call& call) override {
    hypercall::smccc::Result result = hypercall::smccc::Result::Code(hypercall::smccc::kSuccess);
    result.Set(1, call.x[1] + 1);
    return result;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tiny_provider RUNTIME_DIR\n");
    return 2;
  }
  TinyProvider provider;
  hypercall::provider::RunnerOptions options;
  options.runtime_dir = argv[1];
  return hypercall::provider::RunUntilSignalled(provider, options);
}
