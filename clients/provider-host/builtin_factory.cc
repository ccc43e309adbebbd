#include "builtin_factory.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "config/builtin_catalog.h"
#include "config/config_file.h"
#include "config/config_place.h"
#include "providers/provider_registry.h"

namespace hypercall::provider_host {

absl::StatusOr<std::unique_ptr<provider::Provider>> MakeBuiltinProvider(
    const std::string& name, std::string_view options_text) {
  const config::BuiltinCatalog catalog = providers::Catalog();
  const auto builtin = catalog.find(name);
  if (builtin == catalog.end()) {
    return absl::NotFoundError(
        absl::StrFormat("there is no built-in provider \"%s\"; built-in "
                        "providers are: %s",
                        name, absl::StrJoin(providers::RegisteredProviderNames(), ", ")));
  }
  const google::protobuf::Message* prototype = builtin->second.options_prototype;
  if (prototype == nullptr) {
    if (!options_text.empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("built-in provider \"%s\" takes no options", name));
    }
    return providers::CreateProvider(name);
  }
  std::unique_ptr<google::protobuf::Message> options(prototype->New());
  google::protobuf::TextFormat::ParseInfoTree locations;
  std::vector<config::ConfigProblem> problems =
      config::ParseTextFormat(options_text, *options, locations);
  if (problems.empty() && builtin->second.check_options) {
    problems = builtin->second.check_options(*options,
                                             config::Place(&locations, options->GetDescriptor()));
  }
  if (!problems.empty()) return config::RefuseProblems("--options", ' ', problems);
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider =
      providers::CreateProvider(name, options.get());
  if (!provider.ok()) return absl::InvalidArgumentError(provider.status().message());
  return provider;
}

}  // namespace hypercall::provider_host
