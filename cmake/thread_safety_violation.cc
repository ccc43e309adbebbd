// Must NOT compile under clang's thread-safety analysis: it reads a member
// guarded by a mutex without holding it (see ThreadSafetyAnalysis.cmake).
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

class Counter {
 public:
  int Read() const { return value_; }  // No lock: the analysis refuses this.

 private:
  mutable absl::Mutex mu_;
  int value_ ABSL_GUARDED_BY(mu_) = 0;
};

int main() { return Counter().Read(); }
