// A Provider that misbehaves on purpose, call by call, for tests of what
// stands between a vCPU and a provider (deadlines, stray and double
// answers, bad results). Each call it receives takes the next Script the
// test queued (calls past the queue are answered at once with x0 = 0):
//   kAtOnce   answers inside Handle with the script's result (a bad result
//             is just a result that breaks the contract, e.g. memory for an
//             IN buffer);
//   kTwice    answers inside Handle, then again (breaking the contract);
//   kHeld     keeps the call until the test Releases it: late (after a
//             deadline passed), or after its caller gave up or went away;
//   kNever    never answers.
// The test waits for calls with AwaitCalls, so nothing sleeps.
#ifndef HYPERCALL_TESTS_SUPPORT_FAULT_PROVIDER_H_
#define HYPERCALL_TESTS_SUPPORT_FAULT_PROVIDER_H_

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "hypercall/provider/provider.h"
#include "smccc/call.h"

namespace hypercall::testing {

class FaultProvider final : public provider::Provider {
 public:
  enum class Fault { kAtOnce, kTwice, kHeld, kNever };
  struct Script {
    Fault fault = Fault::kAtOnce;
    smccc::Result result = smccc::Result::Code(0);
  };

  explicit FaultProvider(std::vector<provider::RangeClaim> claims, std::string name = "fault");

  // Queues how the next call not yet scripted is answered. Thread-safe.
  void Then(Script script) ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until `count` calls have arrived in all. Thread-safe.
  void AwaitCalls(size_t count) ABSL_LOCKS_EXCLUDED(mu_);
  // The `index`th call received (from 0), as it arrived.
  smccc::Call call(size_t index) const ABSL_LOCKS_EXCLUDED(mu_);

  // Answers held call `index` with its script's result. At most once per
  // held call.
  void Release(size_t index) ABSL_LOCKS_EXCLUDED(mu_);

  // Provider:
  std::string_view name() const override { return name_; }
  std::vector<provider::RangeClaim> Claims() const override { return claims_; }
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Received {
    smccc::Call call;
    Script script;
    provider::Completion* held = nullptr;
  };

  const std::vector<provider::RangeClaim> claims_;
  const std::string name_;
  mutable absl::Mutex mu_;
  std::deque<Script> scripts_ ABSL_GUARDED_BY(mu_);
  std::vector<Received> received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_FAULT_PROVIDER_H_
