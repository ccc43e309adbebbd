// The answer provider: the example that tests/daemon/providers/recipe/
// adds to a copy of the tree by daemon/README.md's "Adding a provider"
// steps. It owns one OEM fast call, SMC64 0xC3000020, which reads nothing
// and answers x0 = SUCCESS, x1 = the answer its options give (default 42).
#ifndef HYPERCALL_DAEMON_PROVIDERS_ANSWER_ANSWER_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_ANSWER_ANSWER_PROVIDER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "hypercall/provider/provider.h"

namespace hypercall::providers::answer {

inline constexpr uint32_t kAnswerCall = 0xc3000020u;

class AnswerProvider final : public provider::Provider {
 public:
  explicit AnswerProvider(uint64_t answer) : answer_(answer) {}

  std::string_view name() const override { return "answer"; }
  std::vector<provider::RangeClaim> Claims() const override;
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;

 private:
  const uint64_t answer_;
};

}  // namespace hypercall::providers::answer

#endif  // HYPERCALL_DAEMON_PROVIDERS_ANSWER_ANSWER_PROVIDER_H_
