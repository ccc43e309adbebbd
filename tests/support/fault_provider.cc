#include "support/fault_provider.h"

#include <utility>

#include "gtest/gtest.h"

namespace hypercall::testing {

FaultProvider::FaultProvider(std::vector<provider::RangeClaim> claims, std::string name)
    : claims_(std::move(claims)), name_(std::move(name)) {}

void FaultProvider::Then(Script script) {
  absl::MutexLock lock(&mu_);
  scripts_.push_back(std::move(script));
}

void FaultProvider::AwaitCalls(size_t count) {
  struct Arrived {
    const FaultProvider* provider;
    size_t count;
    bool operator()() const {
      provider->mu_.AssertHeld();  // absl::Condition runs with mu_ held.
      return provider->received_.size() >= count;
    }
  } arrived{this, count};
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&arrived));
}

smccc::Call FaultProvider::call(size_t index) const {
  absl::MutexLock lock(&mu_);
  return received_.at(index).call;
}

void FaultProvider::Release(size_t index) {
  provider::Completion* done = nullptr;
  smccc::Result result;
  {
    absl::MutexLock lock(&mu_);
    Received& received = received_.at(index);
    ASSERT_EQ(received.script.fault, Fault::kHeld) << "call " << index << " is not held";
    ASSERT_NE(received.held, nullptr) << "call " << index << " was released already";
    done = std::exchange(received.held, nullptr);
    result = received.script.result;
  }
  done->Complete(result);
}

void FaultProvider::Handle(const provider::CallContext&, const smccc::Call& call,
                           provider::Completion& done) {
  Script script;
  {
    absl::MutexLock lock(&mu_);
    if (!scripts_.empty()) {
      script = std::move(scripts_.front());
      scripts_.pop_front();
    }
    Received received{call, script, nullptr};
    if (script.fault == Fault::kHeld) received.held = &done;
    received_.push_back(std::move(received));
  }
  switch (script.fault) {
    case Fault::kAtOnce:
      done.Complete(script.result);
      break;
    case Fault::kTwice:
      done.Complete(script.result);
      done.Complete(script.result);
      break;
    case Fault::kHeld:
    case Fault::kNever:
      break;
  }
}

}  // namespace hypercall::testing
