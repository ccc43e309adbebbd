// Creates providers by name. Each provider folder registers a factory with
// one static HYPERCALL_REGISTER_PROVIDER line, so adding a provider touches
// its folder and one build-list line. The provider objects must be linked
// whole (CMake OBJECT library), or the linker drops the registration. A
// registration also says whether the daemon loads the provider when no
// --providers flag chooses (shipped services: on; diagnostics: off).
//
// A provider may take options: the config's `builtin { NAME { ... } }` block
// (config.proto Builtin). Its factory gets the Builtin message (the config
// checks have passed; without a config it is empty) and may refuse it, e.g.
// when options it needs are missing. Such a provider also registers its
// default claims, so the config checks know them without options.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/config/v1/config.pb.h"
#include "hypercall/provider/provider.h"

namespace hypercall::providers {

// Makes a provider that takes no options.
using ProviderFactory = std::function<std::unique_ptr<provider::Provider>()>;
// Makes a provider from its options, or says why they do not do.
using OptionsProviderFactory = std::function<absl::StatusOr<std::unique_ptr<provider::Provider>>(
    const config::v1::Builtin& options)>;
// The claims a provider makes whatever its options (Provider::Claims()).
using DefaultClaimsFunction = std::function<std::vector<provider::RangeClaim>()>;

// Whether the daemon loads a provider when no --providers flag chooses.
enum class DefaultLoad : bool { kOff, kOn };

// Adds a factory under `name`; returns true so it can initialise a static.
// Registering one name twice aborts at start-up (a build mistake).
// Thread-safe; meant for static initialisation. A provider that takes no
// options refuses any (InvalidArgument).
bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             ProviderFactory factory);
bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             OptionsProviderFactory factory, DefaultClaimsFunction default_claims);

// A new provider made by the factory registered as `name` with `options`:
// NotFound listing the names that are registered, or the factory's error.
absl::StatusOr<std::unique_ptr<provider::Provider>> CreateProvider(
    const std::string& name, const config::v1::Builtin& options = config::v1::Builtin());

// The claims of the provider registered as `name` (none for an unknown
// name), without making one that needs options.
std::vector<provider::RangeClaim> DefaultClaims(const std::string& name);

// Every registered name, sorted.
std::vector<std::string> RegisteredProviderNames();

// The names registered with DefaultLoad::kOn, sorted: what the daemon loads
// when nothing chooses.
std::vector<std::string> DefaultProviderNames();

// OK when every name in `names` is registered and can be made without
// options (as --providers loads them); otherwise InvalidArgument naming the
// first unknown one and listing the registered names, or saying what the
// provider needs.
absl::Status CheckProviderNames(const std::vector<std::string>& names);

}  // namespace hypercall::providers

// Registers a provider as `name`, loaded by default when `default_load` is
// kOn or kOff (a DefaultLoad enumerator), with the arguments of one of the
// RegisterProviderFactory overloads after those two: a factory without
// options, or a factory taking options and the default claims. Use once, at
// namespace scope, in the provider's folder:
//   HYPERCALL_REGISTER_PROVIDER(trng, kOn, [] { ... });
#define HYPERCALL_REGISTER_PROVIDER(name, default_load, ...) \
  static const bool hypercall_provider_registered_##name =   \
      ::hypercall::providers::RegisterProviderFactory(       \
          #name, ::hypercall::providers::DefaultLoad::default_load, __VA_ARGS__)

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
