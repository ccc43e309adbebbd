// The external providers the provider socket serves, by the name a process
// says hello with, with who may serve each. The daemon fills it from the
// config at start and replaces it on reload. A stream serving a provider the
// reload keeps, by a process its allow lists still name, goes on; one
// serving a provider the reload removed or changed is told to end, so no
// process believes it serves what no VM can reach (a changed provider is
// served again by connecting again), and so is one whose process the allow
// lists no longer name.
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

// A stream serving a provider, as the table tells it to end.
class ProviderServer {
 public:
  // The provider it serves is gone from the table: end the stream with
  // `status`. Called with the table's lock held: must not block or call
  // back into the table.
  virtual void EndServing(const absl::Status& status) = 0;

 protected:
  ~ProviderServer() = default;
};

class ExternalProviderTable {
 public:
  // Replaces the whole table, and tells every server of a provider that is
  // no longer in it (removed, or replaced by one with other settings) to
  // end with Unavailable saying which, and every server whose process the
  // provider's allow lists no longer name to end with PermissionDenied
  // saying who may serve it now. Thread-safe.
  void Replace(std::vector<ExternalProvider> providers);

  // The provider called `name` if `peer` may serve it. NotFound listing the
  // configured names, or PermissionDenied saying who may serve it. When
  // allowed and `server` is given, it is told to end once a Replace drops
  // the provider; it must call Unwatch before it goes. Thread-safe.
  absl::StatusOr<ExternalProvider> Authorize(std::string_view name, const PeerCredentials& peer,
                                             ProviderServer* server = nullptr);

  // `server` no longer serves. Idempotent. Thread-safe.
  void Unwatch(ProviderServer* server);

 private:
  struct Watch {
    const core::ProviderEntry* entry;
    ProviderServer* server;
    PeerCredentials peer;
  };

  // Why the process `peer` may not serve `provider`, or OK when it may.
  static absl::Status CheckAllowed(const ExternalProvider& provider, const PeerCredentials& peer);
  // Why a server of `watch` must end now that the table is providers_, or
  // OK when it goes on.
  absl::Status StillServes(const Watch& watch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::vector<ExternalProvider> providers_ ABSL_GUARDED_BY(mu_);
  std::vector<Watch> watches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_EXTERNAL_PROVIDERS_H_
