// A Completion that keeps the result a provider hands back, and how many
// times it was called, for provider tests that answer inline.
#ifndef HYPERCALL_TESTS_DAEMON_PROVIDERS_CAPTURED_RESULT_H_
#define HYPERCALL_TESTS_DAEMON_PROVIDERS_CAPTURED_RESULT_H_

#include "hypercall/provider/provider.h"

namespace hypercall::providers {

class CapturedResult final : public provider::Completion {
 public:
  void Complete(const smccc::Result& result) override {
    ++count;
    value = result;
  }
  int count = 0;
  smccc::Result value;
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_TESTS_DAEMON_PROVIDERS_CAPTURED_RESULT_H_
