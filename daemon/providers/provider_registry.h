// Creates providers by name. Each provider folder registers a factory with
// one static HYPERCALL_REGISTER_PROVIDER line, so adding a provider touches
// its folder and one build-list line. The provider objects must be linked
// whole (CMake OBJECT library), or the linker drops the registration.
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

// Adds a factory under `name`; returns true so it can initialise a static.
// Registering one name twice aborts at start-up (a build mistake).
// Thread-safe; meant for static initialisation.
bool RegisterProviderFactory(const std::string& name, ProviderFactory factory);

// A new provider made by the factory registered as `name`, or NotFound
// listing the names that are registered.
absl::StatusOr<std::unique_ptr<Provider>> CreateProvider(const std::string& name);

// Every registered name, sorted.
std::vector<std::string> RegisteredProviderNames();

}  // namespace hypercall::providers

// Registers `factory` (a callable returning std::unique_ptr<Provider>) as
// `name`. Use once, at namespace scope, in the provider's folder.
#define HYPERCALL_REGISTER_PROVIDER(name, factory)         \
  static const bool hypercall_provider_registered_##name = \
      ::hypercall::providers::RegisterProviderFactory(#name, factory)

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROVIDER_REGISTRY_H_
