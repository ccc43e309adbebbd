#include "service/external_providers.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::service {

void ExternalProviderTable::Replace(std::vector<ExternalProvider> providers) {
  absl::MutexLock lock(&mu_);
  providers_ = std::move(providers);
}

absl::StatusOr<ExternalProvider> ExternalProviderTable::Authorize(
    std::string_view name, const PeerCredentials& peer) const {
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
    return candidate;
  }
  return absl::NotFoundError(
      absl::StrFormat("no external provider \"%s\" in the config; it lists %s", name,
                      names.empty() ? "none (add a provider { name: ... external { ... } } block)"
                                    : absl::StrJoin(names, ", ")));
}

}  // namespace hypercall::service
