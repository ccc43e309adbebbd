// One provider process's stream (ProviderService.Serve): hello binds it to a
// configured external provider if the process's kernel-verified identity
// may serve it, claims are granted or refused with the reason, and calls
// flow to the process while results flow back, many in flight at once, with
// a notice for each VM of its plan that detaches. They go out through a
// bounded queue, so a process that stops reading gets NOT_SUPPORTED answers
// for its vCPUs (and misses notices) instead of growing the daemon. When the
// stream ends, for whatever reason, the process's calls in flight are
// answered NOT_SUPPORTED and its ranges are free.
#ifndef HYPERCALL_DAEMON_SERVICE_PROVIDER_STREAM_H_
#define HYPERCALL_DAEMON_SERVICE_PROVIDER_STREAM_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "hypercall/v1/provider.pb.h"
#include "providers/remote/remote_provider.h"
#include "service/bidi_stream.h"
#include "service/external_providers.h"
#include "service/peer_directory.h"
#include "service/stream_counter.h"
#include "service/uid_counter.h"

namespace hypercall::service {

class ProviderStream final : public BidiStream<v1::ProviderMessage, v1::DaemonMessage>,
                             private providers::ProviderLink,
                             private ProviderServer {
 public:
  // Starts reading. `peer` is who connected (nullopt: unknown, refused at
  // hello). Deletes itself when gRPC is done with it, then tells `streams`
  // and `per_uid` (when given: it counted the stream for the peer's uid).
  // Up to `max_queued` messages (`max_queued_bytes` bytes together) wait to
  // be written before calls are refused. Without a hello within
  // `open_timeout` it ends.
  ProviderStream(ExternalProviderTable& providers, std::optional<PeerCredentials> peer,
                 size_t max_queued, size_t max_queued_bytes, StreamCounter& streams,
                 UidCounter* per_uid, const OpenTimeout& open_timeout);

 private:
  ~ProviderStream() override = default;

  void OnRequest(const v1::ProviderMessage& message) override;
  void OnBadRequest(const absl::Status& status) override;
  void OnStreamDone(const absl::Status& reason) override;
  // Drops a call whose deadline passed while it waited in the queue (its
  // vCPU has had NOT_SUPPORTED already), so the process never sees it; a
  // call still in time leaves with the time it has left.
  bool DropAtDequeueLocked(v1::DaemonMessage& message) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  bool SendCall(uint64_t call_id, const provider::CallContext& context, const smccc::Call& call,
                std::chrono::nanoseconds deadline) override;
  bool SendVmDetached(std::string_view vm) override;
  void GiveUp(const absl::Status& reason) override;

  void HandleHello(const v1::ProviderHello& hello);
  void HandleClaim(const v1::Claim& claim);
  void HandleResult(const v1::Result& result);
  // Ends the stream for a protocol mistake of the process, logged.
  void Refuse(const absl::Status& status);
  // ProviderServer: a reload dropped the provider this stream serves.
  void EndServing(const absl::Status& status) override;

  ExternalProviderTable& providers_;
  const std::optional<PeerCredentials> peer_;
  UidCounter* const per_uid_;
  // Set by an accepted hello; before it, only hello is accepted.
  std::optional<ExternalProvider> provider_;
  std::shared_ptr<providers::RemoteProvider::Connection> connection_;
  std::string who_;
  // When each queued call's deadline passes, by call id.
  absl::flat_hash_map<uint64_t, std::chrono::steady_clock::time_point> queued_deadlines_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_PROVIDER_STREAM_H_
