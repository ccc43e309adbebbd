#include "builtin_factory.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "config/builtin_options_check.h"
#include "config/config_file.h"
#include "config/config_place.h"
#include "providers/provider_registry.h"

namespace hypercall::provider_host {

absl::StatusOr<std::unique_ptr<provider::Provider>> MakeBuiltinProvider(
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
  std::vector<config::ConfigProblem> problems =
      config::ParseTextFormat(options_text, options, locations);
  if (problems.empty()) {
    problems = config::CheckBuiltinOptions(
        name, options, config::Place(&locations, config::v1::Builtin::descriptor()));
  }
  if (!problems.empty()) return config::RefuseProblems("--options", ' ', problems);
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider =
      providers::CreateProvider(name, options);
  if (!provider.ok()) return absl::InvalidArgumentError(provider.status().message());
  return provider;
}

}  // namespace hypercall::provider_host
