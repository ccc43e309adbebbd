// A built-in provider's options as a config file gives them, read through
// the registry as the daemon reads them, for the tests of each provider's
// options check.
#ifndef HYPERCALL_TESTS_DAEMON_PROVIDERS_CONFIGURED_OPTIONS_H_
#define HYPERCALL_TESTS_DAEMON_PROVIDERS_CONFIGURED_OPTIONS_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/builtin_options.h"
#include "config/config_file.h"
#include "providers/provider_registry.h"

namespace hypercall::providers {

// The problems of config file "test.conf" holding `text`; "" when it parses.
inline std::string ConfigProblems(const std::string& text) {
  absl::StatusOr<config::v1::Config> config = config::ParseConfig(text, "test.conf", Catalog());
  return config.ok() ? "" : std::string(config.status().message());
}

// The options of the first provider of config `text`, which must parse and
// give that provider options of type `Options`.
template <typename Options>
Options FirstProvidersOptions(const std::string& text) {
  absl::StatusOr<config::v1::Config> config = config::ParseConfig(text, "test.conf", Catalog());
  if (!config.ok() || config->provider_size() == 0) {
    ADD_FAILURE() << "does not parse: " << config.status();
    return Options();
  }
  const config::v1::Provider& provider = config->provider(0);
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> options =
      config::UnpackBuiltinOptions(provider.name(), provider.builtin(), Catalog());
  const Options* typed = options.ok() && *options != nullptr
                             ? google::protobuf::DynamicCastToGenerated<Options>(options->get())
                             : nullptr;
  if (typed == nullptr) {
    ADD_FAILURE() << "no " << Options::descriptor()->full_name()
                  << " options: " << options.status();
    return Options();
  }
  return *typed;
}

}  // namespace hypercall::providers

#endif  // HYPERCALL_TESTS_DAEMON_PROVIDERS_CONFIGURED_OPTIONS_H_
