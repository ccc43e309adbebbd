#include "providers/provider_registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "absl/strings/str_join.h"

namespace hypercall::providers {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, ProviderFactory> factories;
};

// Constructed on first use, so registration order across files is moot.
Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

bool RegisterProviderFactory(const std::string& name, ProviderFactory factory) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  if (!registry.factories.emplace(name, std::move(factory)).second) {
    std::fprintf(stderr, "<2>provider '%s' is registered twice\n", name.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Provider>> CreateProvider(const std::string& name) {
  Registry& registry = GetRegistry();
  ProviderFactory factory;
  {
    std::lock_guard<std::mutex> lock(registry.mu);
    auto it = registry.factories.find(name);
    if (it == registry.factories.end()) {
      std::vector<std::string> names;
      for (const auto& [known, unused] : registry.factories) names.push_back(known);
      return absl::NotFoundError("no provider named '" + name +
                                 "'; registered: " + absl::StrJoin(names, ", "));
    }
    factory = it->second;
  }
  return factory();
}

std::vector<std::string> RegisteredProviderNames() {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  std::vector<std::string> names;
  for (const auto& [name, unused] : registry.factories) names.push_back(name);
  return names;
}

}  // namespace hypercall::providers
