#include "builtin_factory.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "config/builtin_options_check.h"
#include "config/config_place.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "providers/provider_registry.h"

namespace hypercall::provider_host {
namespace {

// Keeps the parser's complaints with their places (1-based).
class ProblemCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    problems.push_back({line + 1, column + 1, message});
  }

  std::vector<config::ConfigProblem> problems;
};

absl::Status Refuse(const std::vector<config::ConfigProblem>& problems) {
  std::vector<std::string> lines;
  for (const config::ConfigProblem& problem : problems) {
    lines.push_back(problem.line > 0 ? absl::StrFormat("--options %d:%d: %s", problem.line,
                                                       problem.column, problem.message)
                                     : absl::StrFormat("--options: %s", problem.message));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<providers::Provider>> MakeBuiltinProvider(
    const std::string& name, std::string_view options_text) {
  const std::vector<std::string> known = providers::RegisteredProviderNames();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    return absl::NotFoundError(
        absl::StrFormat("there is no built-in provider \"%s\"; built-in "
                        "providers are: %s",
                        name, absl::StrJoin(known, ", ")));
  }
  config::v1::Builtin options;
  google::protobuf::TextFormat::ParseInfoTree locations;
  ProblemCollector collector;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&locations);
  google::protobuf::io::ArrayInputStream input(options_text.data(),
                                               static_cast<int>(options_text.size()));
  if (!parser.Parse(&input, &options)) {
    if (collector.problems.empty()) collector.problems.push_back({0, 0, "cannot be parsed"});
    return Refuse(collector.problems);
  }
  const config::Place place(&locations, config::v1::Builtin::descriptor());
  if (std::vector<config::ConfigProblem> problems =
          config::CheckBuiltinOptions(name, options, place);
      !problems.empty()) {
    return Refuse(problems);
  }
  absl::StatusOr<std::unique_ptr<providers::Provider>> provider =
      providers::CreateProvider(name, options);
  if (!provider.ok()) return absl::InvalidArgumentError(provider.status().message());
  return provider;
}

}  // namespace hypercall::provider_host
