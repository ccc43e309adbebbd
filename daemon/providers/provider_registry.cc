#include "providers/provider_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "absl/strings/str_join.h"
#include "google/protobuf/empty.pb.h"

namespace hypercall::providers {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, ProviderRegistration> registrations;
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
ProviderRegistration Find(const std::string& name) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = registry.registrations.find(name);
  return it == registry.registrations.end() ? ProviderRegistration{} : it->second;
}

}  // namespace

ProviderRegistration WithoutOptions(DefaultLoad default_load,
                                    std::function<std::unique_ptr<provider::Provider>()> make) {
  ProviderRegistration registration;
  registration.default_load = default_load;
  registration.make = [make](const google::protobuf::Message&)
      -> absl::StatusOr<std::unique_ptr<provider::Provider>> { return make(); };
  registration.default_claims = [make] { return make()->Claims(); };
  return registration;
}

bool RegisterProvider(const std::string& name, ProviderRegistration registration) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  if (!registry.registrations.emplace(name, std::move(registration)).second) {
    std::fprintf(stderr, "<2>provider '%s' is registered twice\n", name.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<std::unique_ptr<provider::Provider>> CreateProvider(
    const std::string& name, const google::protobuf::Message* options) {
  const ProviderRegistration registration = Find(name);
  if (!registration.make) {
    return absl::NotFoundError("no provider named '" + name +
                               "'; registered: " + absl::StrJoin(RegisteredProviderNames(), ", "));
  }
  if (registration.options_prototype == nullptr) {
    if (options != nullptr) {
      return absl::InvalidArgumentError("built-in provider '" + name + "' takes no options");
    }
    return registration.make(google::protobuf::Empty::default_instance());
  }
  return registration.make(options != nullptr ? *options : *registration.options_prototype);
}

std::vector<provider::RangeClaim> DefaultClaims(const std::string& name) {
  const ProviderRegistration registration = Find(name);
  if (!registration.default_claims) return {};
  return registration.default_claims();
}

std::vector<std::string> RegisteredProviderNames() {
  return NamesWhere([](const ProviderRegistration&) { return true; });
}

std::vector<std::string> DefaultProviderNames() {
  return NamesWhere([](const ProviderRegistration& registration) {
    return registration.default_load == DefaultLoad::kOn;
  });
}

config::BuiltinCatalog Catalog() {
  config::BuiltinCatalog catalog;
  for (const std::string& name : RegisteredProviderNames()) {
    const ProviderRegistration registration = Find(name);
    config::BuiltinDescription& description = catalog[name];
    for (const provider::RangeClaim& claim : registration.default_claims()) {
      description.default_claims.push_back(claim.range);
    }
    std::sort(description.default_claims.begin(), description.default_claims.end(),
              [](const smccc::FunctionRange& a, const smccc::FunctionRange& b) {
                return a.first < b.first;
              });
    description.default_on = registration.default_load == DefaultLoad::kOn;
    description.options_prototype = registration.options_prototype;
    description.check_options = registration.check_options;
  }
  return catalog;
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
