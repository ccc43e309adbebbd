#include "providers/provider_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "absl/strings/str_join.h"

namespace hypercall::providers {
namespace {

struct Registration {
  DefaultLoad default_load = DefaultLoad::kOff;
  ProviderFactory factory;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, Registration> registrations;
};

// Constructed on first use, so registration order across files is moot.
Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

// The names whose registration passes `keep`, sorted (the map's order).
template <typename Predicate>
std::vector<std::string> NamesWhere(Predicate keep) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  std::vector<std::string> names;
  for (const auto& [name, registration] : registry.registrations) {
    if (keep(registration)) names.push_back(name);
  }
  return names;
}

}  // namespace

bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             ProviderFactory factory) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  if (!registry.registrations.emplace(name, Registration{default_load, std::move(factory)})
           .second) {
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
    auto it = registry.registrations.find(name);
    if (it != registry.registrations.end()) factory = it->second.factory;
  }
  if (!factory) {
    return absl::NotFoundError("no provider named '" + name +
                               "'; registered: " + absl::StrJoin(RegisteredProviderNames(), ", "));
  }
  return factory();
}

std::vector<std::string> RegisteredProviderNames() {
  return NamesWhere([](const Registration&) { return true; });
}

std::vector<std::string> DefaultProviderNames() {
  return NamesWhere([](const Registration& registration) {
    return registration.default_load == DefaultLoad::kOn;
  });
}

absl::Status CheckProviderNames(const std::vector<std::string>& names) {
  const std::vector<std::string> known = RegisteredProviderNames();
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError("unknown provider '" + name +
                                        "' (known: " + absl::StrJoin(known, ", ") + ")");
    }
  }
  return absl::OkStatus();
}

}  // namespace hypercall::providers
