// Makes the answer provider available by name ("answer"), off by default,
// with its options (answer_options.proto) checked before it is made.
#include "absl/strings/str_format.h"
#include "providers/answer/answer_options.pb.h"
#include "providers/answer/answer_provider.h"
#include "providers/provider_registry.h"

namespace hypercall::providers::answer {
namespace {

void CheckOptions(const AnswerOptions& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems) {
  if (options.answer() > 0xffffffffu) {
    problems.push_back(place.Field("answer").Problem(
        absl::StrFormat("answer %u is above 0xffffffff", options.answer())));
  }
}

absl::StatusOr<std::unique_ptr<provider::Provider>> Make(const AnswerOptions& options) {
  return std::make_unique<AnswerProvider>(options.has_answer() ? options.answer() : 42);
}

}  // namespace

HYPERCALL_REGISTER_PROVIDER(answer,
                            WithOptions<AnswerOptions>(DefaultLoad::kOff, Make, CheckOptions,
                                                       [] { return AnswerProvider(0).Claims(); }));

}  // namespace hypercall::providers::answer
