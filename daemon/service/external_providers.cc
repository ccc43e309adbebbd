#include "service/external_providers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::service {

absl::Status ExternalProviderTable::CheckAllowed(const ExternalProvider& provider,
                                                 const PeerCredentials& peer) {
  if (peer.ListedIn(provider.allow_uid, provider.allow_gid)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "uid %d gid %d (supplementary groups [%s]) may not serve provider \"%s\": the config "
      "allows uid [%s] and gid [%s]",
      peer.uid, peer.gid, absl::StrJoin(peer.groups, ", "), provider.entry->name,
      absl::StrJoin(provider.allow_uid, ", "), absl::StrJoin(provider.allow_gid, ", ")));
}

absl::Status ExternalProviderTable::StillServes(const Watch& watch) const {
  const auto same = [&watch](const ExternalProvider& p) { return p.entry.get() == watch.entry; };
  if (auto kept = std::find_if(providers_.begin(), providers_.end(), same);
      kept != providers_.end()) {
    absl::Status allowed = CheckAllowed(*kept, watch.peer);
    if (allowed.ok()) return allowed;
    return absl::PermissionDeniedError(
        absl::StrCat("a config reload changed who may serve: ", allowed.message()));
  }
  const auto named = [&watch](const ExternalProvider& p) {
    return p.entry->name == watch.entry->name;
  };
  const bool changed = std::any_of(providers_.begin(), providers_.end(), named);
  return absl::UnavailableError(
      changed ? absl::StrFormat("a config reload changed provider \"%s\": connect again to "
                                "serve it as configured",
                                watch.entry->name)
              : absl::StrFormat("a config reload removed provider \"%s\"", watch.entry->name));
}

void ExternalProviderTable::Replace(std::vector<ExternalProvider> providers) {
  absl::MutexLock lock(&mu_);
  providers_ = std::move(providers);
  std::vector<Watch> kept;
  for (const Watch& watch : watches_) {
    if (absl::Status serves = StillServes(watch); !serves.ok()) {
      watch.server->EndServing(serves);
    } else {
      kept.push_back(watch);
    }
  }
  watches_ = std::move(kept);
}

void ExternalProviderTable::Unwatch(ProviderServer* server) {
  absl::MutexLock lock(&mu_);
  watches_.erase(std::remove_if(watches_.begin(), watches_.end(),
                                [server](const Watch& w) { return w.server == server; }),
                 watches_.end());
}

absl::StatusOr<ExternalProvider> ExternalProviderTable::Authorize(std::string_view name,
                                                                  const PeerCredentials& peer,
                                                                  ProviderServer* server) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const ExternalProvider& candidate : providers_) {
    if (candidate.entry->name != name) {
      names.push_back(candidate.entry->name);
      continue;
    }
    if (absl::Status allowed = CheckAllowed(candidate, peer); !allowed.ok()) return allowed;
    if (server != nullptr) watches_.push_back({candidate.entry.get(), server, peer});
    return candidate;
  }
  return absl::NotFoundError(
      absl::StrFormat("no external provider \"%s\" in the config; it lists %s", name,
                      names.empty() ? "none (add a provider { name: ... external { ... } } block)"
                                    : absl::StrJoin(names, ", ")));
}

}  // namespace hypercall::service
