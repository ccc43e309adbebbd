// The reconnect delay: doubles from an initial value up to a ceiling, and
// starts over once a connection has served.
#ifndef HYPERCALL_PROVIDER_SRC_BACKOFF_H_
#define HYPERCALL_PROVIDER_SRC_BACKOFF_H_

#include <chrono>

namespace hypercall::provider {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);

  // The delay before the next attempt; each call doubles the following one,
  // up to the ceiling.
  std::chrono::milliseconds Next();
  // The ceiling, for attempts that failed for a reason retrying soon cannot
  // fix (a refused hello or claim); the next Next() stays there too.
  std::chrono::milliseconds Max();
  // Back to the initial delay.
  void Reset() { next_ = initial_; }

 private:
  const std::chrono::milliseconds initial_;
  const std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_SRC_BACKOFF_H_
