// Creates built-in providers by name. Each provider folder registers itself
// with one static HYPERCALL_REGISTER_PROVIDER line: its factory, whether the
// daemon loads it when nothing chooses, and, when it takes options, its own
// options message and the checks of it. So adding a provider touches its
// folder and the one line that adds the folder to the build
// (daemon/providers/CMakeLists.txt), and nothing else names it. A provider
// library must be linked whole (hypercalld_providers does), or the linker
// drops the registration.
//
// Options live in the provider's folder as a protobuf message; the config
// carries them as a google.protobuf.Any (`builtin { [options/NAME] { ... }
// }`, config/builtin_options.h), checked with the provider's checks before
// its factory sees them.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/builtin_catalog.h"
#include "config/config_place.h"
#include "config/config_problem.h"
#include "google/protobuf/message.h"
#include "hypercall/provider/provider.h"

namespace hypercall::providers {

// Whether the daemon loads a provider when no --providers flag chooses.
enum class DefaultLoad : bool { kOff, kOn };

// Makes a provider from its options: a message of its options type (its
// default instance when nothing set any), or says why they do not do.
using OptionsFactory = std::function<absl::StatusOr<std::unique_ptr<provider::Provider>>(
    const google::protobuf::Message& options)>;
// The claims a provider makes whatever its options (Provider::Claims()).
using DefaultClaimsFunction = std::function<std::vector<provider::RangeClaim>()>;

// What a provider folder registers.
struct ProviderRegistration {
  DefaultLoad default_load = DefaultLoad::kOff;
  // The default instance of its options message; nullptr when it takes none.
  const google::protobuf::Message* options_prototype = nullptr;
  // The checks of its options, with the places to name (may be empty).
  config::OptionsCheck check_options;
  OptionsFactory make;
  DefaultClaimsFunction default_claims;
};

// A provider that takes no options, made by `make`.
ProviderRegistration WithoutOptions(DefaultLoad default_load,
                                    std::function<std::unique_ptr<provider::Provider>()> make);

// A provider whose options are the protobuf message `Options`: `check` finds
// their problems (appending to the list), `make` builds the provider from
// checked ones, `default_claims` gives its claims without options.
template <typename Options>
ProviderRegistration WithOptions(
    DefaultLoad default_load,
    std::function<absl::StatusOr<std::unique_ptr<provider::Provider>>(const Options&)> make,
    std::function<void(const Options&, const config::Place&, std::vector<config::ConfigProblem>&)>
        check,
    DefaultClaimsFunction default_claims) {
  ProviderRegistration registration;
  registration.default_load = default_load;
  registration.options_prototype = &Options::default_instance();
  registration.check_options = [check](const google::protobuf::Message& options,
                                       const config::Place& place) {
    std::vector<config::ConfigProblem> problems;
    const Options* typed = google::protobuf::DynamicCastToGenerated<Options>(&options);
    if (typed == nullptr) {
      problems.push_back(place.Problem("options of type " + options.GetTypeName() + " are not " +
                                       Options::descriptor()->full_name()));
    } else {
      check(*typed, place, problems);
    }
    return problems;
  };
  registration.make = [make](const google::protobuf::Message& options)
      -> absl::StatusOr<std::unique_ptr<provider::Provider>> {
    const Options* typed = google::protobuf::DynamicCastToGenerated<Options>(&options);
    if (typed == nullptr) {
      return absl::InvalidArgumentError("options of type " + options.GetTypeName() + " are not " +
                                        Options::descriptor()->full_name());
    }
    return make(*typed);
  };
  registration.default_claims = std::move(default_claims);
  return registration;
}

// Adds `registration` under `name`; returns true so it can initialise a
// static. Registering one name twice aborts at start-up (a build mistake).
// Thread-safe; meant for static initialisation.
bool RegisterProvider(const std::string& name, ProviderRegistration registration);

// A new provider made by the factory registered as `name` with `options`
// (nullptr: none; a provider that takes options gets its defaults): NotFound
// listing the names that are registered, InvalidArgument for options of
// another type or given to a provider that takes none, or the factory's
// error.
absl::StatusOr<std::unique_ptr<provider::Provider>> CreateProvider(
    const std::string& name, const google::protobuf::Message* options = nullptr);

// The claims of the provider registered as `name` (none for an unknown
// name), without making one that needs options.
std::vector<provider::RangeClaim> DefaultClaims(const std::string& name);

// Every registered name, sorted.
std::vector<std::string> RegisteredProviderNames();

// The names registered with DefaultLoad::kOn, sorted: what the daemon loads
// when nothing chooses.
std::vector<std::string> DefaultProviderNames();

// Every registered provider as the config checks see it.
config::BuiltinCatalog Catalog();

// OK when every name in `names` is registered and can be made without
// options (as --providers loads them); otherwise InvalidArgument naming the
// first unknown one and listing the registered names, or saying what the
// provider needs.
absl::Status CheckProviderNames(const std::vector<std::string>& names);

}  // namespace hypercall::providers

// Registers a provider as `name` with a ProviderRegistration (WithOptions or
// WithoutOptions). Use once, at namespace scope, in the provider's folder:
//   HYPERCALL_REGISTER_PROVIDER(trng, WithoutOptions(DefaultLoad::kOn, ...));
#define HYPERCALL_REGISTER_PROVIDER(name, registration)    \
  static const bool hypercall_provider_registered_##name = \
      ::hypercall::providers::RegisterProvider(#name, registration)

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
