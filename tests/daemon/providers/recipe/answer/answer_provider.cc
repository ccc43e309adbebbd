#include "providers/answer/answer_provider.h"

#include "smccc/return_codes.h"

namespace hypercall::providers::answer {

std::vector<provider::RangeClaim> AnswerProvider::Claims() const {
  return {{{kAnswerCall, kAnswerCall}, 0, {}}};
}

void AnswerProvider::Handle(const provider::CallContext&, const smccc::Call&,
                            provider::Completion& done) {
  smccc::Result result;
  result.x[0] = smccc::kSuccess;
  result.Set(1, answer_);
  done.Complete(result);
}

}  // namespace hypercall::providers::answer
