// The external providers the provider socket serves, by the name a process
// says hello with, with who may serve each. The daemon fills it from the
// config at start and replaces it on reload; streams already serving keep
// the provider they found.
#ifndef HYPERCALL_DAEMON_SERVICE_EXTERNAL_PROVIDERS_H_
#define HYPERCALL_DAEMON_SERVICE_EXTERNAL_PROVIDERS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/provider_entry.h"
#include "providers/remote/remote_provider.h"
#include "service/peer_directory.h"

namespace hypercall::service {

struct ExternalProvider {
  // Keeps the provider alive while a stream serves it.
  std::shared_ptr<const core::ProviderEntry> entry;
  providers::RemoteProvider* provider = nullptr;
  // A process may serve it when its uid is in allow_uid or its primary or a
  // supplementary group in allow_gid, as SO_PEERCRED and SO_PEERGROUPS report
  // them.
  std::vector<uid_t> allow_uid;
  std::vector<gid_t> allow_gid;
};

class ExternalProviderTable {
 public:
  // Replaces the whole table. Thread-safe.
  void Replace(std::vector<ExternalProvider> providers);

  // The provider called `name` if `peer` may serve it. NotFound listing the
  // configured names, or PermissionDenied saying who may serve it.
  // Thread-safe.
  absl::StatusOr<ExternalProvider> Authorize(std::string_view name,
                                             const PeerCredentials& peer) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<ExternalProvider> providers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_EXTERNAL_PROVIDERS_H_
