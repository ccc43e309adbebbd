// Creates providers by name. Each provider folder registers a factory with
// one static HYPERCALL_REGISTER_PROVIDER line, so adding a provider touches
// its folder and one build-list line. The provider objects must be linked
// whole (CMake OBJECT library), or the linker drops the registration. A
// registration also says whether the daemon loads the provider when no
// --providers flag chooses (shipped services: on; diagnostics: off).
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "providers/provider.h"

namespace hypercall::providers {

using ProviderFactory = std::function<std::unique_ptr<Provider>()>;

// Whether the daemon loads a provider when no --providers flag chooses.
enum class DefaultLoad : bool { kOff, kOn };

// Adds a factory under `name`; returns true so it can initialise a static.
// Registering one name twice aborts at start-up (a build mistake).
// Thread-safe; meant for static initialisation.
bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             ProviderFactory factory);

// A new provider made by the factory registered as `name`, or NotFound
// listing the names that are registered.
absl::StatusOr<std::unique_ptr<Provider>> CreateProvider(const std::string& name);

// Every registered name, sorted.
std::vector<std::string> RegisteredProviderNames();

// The names registered with DefaultLoad::kOn, sorted: what the daemon loads
// when nothing chooses.
std::vector<std::string> DefaultProviderNames();

// OK when every name in `names` is registered; otherwise InvalidArgument
// naming the first unknown one and listing the registered names.
absl::Status CheckProviderNames(const std::vector<std::string>& names);

}  // namespace hypercall::providers

// Registers `factory` (a callable returning std::unique_ptr<Provider>) as
// `name`, loaded by default when `default_load` is kOn or kOff (a
// DefaultLoad enumerator). Use once, at namespace scope, in the provider's
// folder: HYPERCALL_REGISTER_PROVIDER(trng, kOn, [] { ... });
#define HYPERCALL_REGISTER_PROVIDER(name, default_load, factory) \
  static const bool hypercall_provider_registered_##name =       \
      ::hypercall::providers::RegisterProviderFactory(           \
          #name, ::hypercall::providers::DefaultLoad::default_load, factory)

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
