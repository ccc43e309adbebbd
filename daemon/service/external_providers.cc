#include "service/external_providers.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::service {

void ExternalProviderTable::Replace(std::vector<ExternalProvider> providers) {
  absl::MutexLock lock(&mu_);
  providers_ = std::move(providers);
  std::vector<Watch> kept;
  for (const Watch& watch : watches_) {
    const auto same = [&watch](const ExternalProvider& p) { return p.entry.get() == watch.entry; };
    if (std::any_of(providers_.begin(), providers_.end(), same)) {
      kept.push_back(watch);
      continue;
    }
    const auto named = [&watch](const ExternalProvider& p) {
      return p.entry->name == watch.entry->name;
    };
    const bool changed = std::any_of(providers_.begin(), providers_.end(), named);
    watch.server->EndServing(absl::UnavailableError(
        changed ? absl::StrFormat("a config reload changed provider \"%s\": connect again to "
                                  "serve it as configured",
                                  watch.entry->name)
                : absl::StrFormat("a config reload removed provider \"%s\"", watch.entry->name)));
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
    const bool allowed = std::find(candidate.allow_uid.begin(), candidate.allow_uid.end(),
                                   peer.uid) != candidate.allow_uid.end() ||
                         std::any_of(candidate.allow_gid.begin(), candidate.allow_gid.end(),
                                     [&peer](gid_t gid) { return peer.InGroup(gid); });
    if (!allowed) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "uid %d gid %d (supplementary groups [%s]) may not serve provider \"%s\": the config "
          "allows uid [%s] and gid [%s]",
          peer.uid, peer.gid, absl::StrJoin(peer.groups, ", "), name,
          absl::StrJoin(candidate.allow_uid, ", "), absl::StrJoin(candidate.allow_gid, ", ")));
    }
    if (server != nullptr) watches_.push_back({candidate.entry.get(), server});
    return candidate;
  }
  return absl::NotFoundError(
      absl::StrFormat("no external provider \"%s\" in the config; it lists %s", name,
                      names.empty() ? "none (add a provider { name: ... external { ... } } block)"
                                    : absl::StrJoin(names, ", ")));
}

}  // namespace hypercall::service
