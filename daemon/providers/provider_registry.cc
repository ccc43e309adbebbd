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
  OptionsProviderFactory factory;
  DefaultClaimsFunction default_claims;
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

// The registration of `name`, copied out of the lock; empty when unknown.
Registration Find(const std::string& name) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = registry.registrations.find(name);
  return it == registry.registrations.end() ? Registration{} : it->second;
}

}  // namespace

bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             ProviderFactory factory) {
  OptionsProviderFactory with_options = [name, factory](const config::v1::Builtin& options)
      -> absl::StatusOr<std::unique_ptr<provider::Provider>> {
    if (options.options_case() != config::v1::Builtin::OPTIONS_NOT_SET) {
      return absl::InvalidArgumentError("built-in provider '" + name + "' takes no options");
    }
    return factory();
  };
  DefaultClaimsFunction default_claims = [factory] { return factory()->Claims(); };
  return RegisterProviderFactory(name, default_load, std::move(with_options),
                                 std::move(default_claims));
}

bool RegisterProviderFactory(const std::string& name, DefaultLoad default_load,
                             OptionsProviderFactory factory, DefaultClaimsFunction default_claims) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  if (!registry.registrations
           .emplace(name, Registration{default_load, std::move(factory), std::move(default_claims)})
           .second) {
    std::fprintf(stderr, "<2>provider '%s' is registered twice\n", name.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<std::unique_ptr<provider::Provider>> CreateProvider(
    const std::string& name, const config::v1::Builtin& options) {
  const Registration registration = Find(name);
  if (!registration.factory) {
    return absl::NotFoundError("no provider named '" + name +
                               "'; registered: " + absl::StrJoin(RegisteredProviderNames(), ", "));
  }
  return registration.factory(options);
}

std::vector<provider::RangeClaim> DefaultClaims(const std::string& name) {
  const Registration registration = Find(name);
  if (!registration.default_claims) return {};
  return registration.default_claims();
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
    if (absl::StatusOr<std::unique_ptr<provider::Provider>> provider = CreateProvider(name);
        !provider.ok()) {
      return absl::InvalidArgumentError(provider.status().message());
    }
  }
  return absl::OkStatus();
}

}  // namespace hypercall::providers
