// An external provider as the broker sees it: one per provider the config
// lists as external, alive as long as the config names it, whether or not a
// process serves it right now. Its configured ranges are routed (and planned
// into VMs) from the start; each call goes to the connected process that
// claimed the range it falls in, or is answered NOT_SUPPORTED at once when
// none has.
//
// Every forwarded call carries a deadline: when the process has not answered
// by then, or disconnects first, the vCPU gets NOT_SUPPORTED and a late
// answer is dropped. So a slow, crashed or misbehaving process never holds a
// vCPU longer than the deadline, and never answers a call twice.
//
// A process that misses `max_missed_deadlines` deadlines in a row (it stopped
// reading, or answering) is given up: its calls in flight are answered
// NOT_SUPPORTED, its ranges are free for another process to claim at once,
// and its stream is ended.
//
// A VM detaching is passed on to each process serving a range then, through
// the same bounded queue as calls: best effort, dropped (and counted) when
// the queue is full, never waited for.
#ifndef HYPERCALL_DAEMON_PROVIDERS_REMOTE_REMOTE_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_REMOTE_REMOTE_PROVIDER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "base/call_timer.h"
#include "base/peer_credentials.h"
#include "hypercall/provider/provider.h"

namespace hypercall::providers {

// How calls reach a provider process: its stream, in the service layer.
class ProviderLink {
 public:
  virtual ~ProviderLink() = default;
  // Hands call `call_id` to the process, to be answered within `deadline`.
  // Returns false when it cannot be sent (the stream is closing or its send
  // queue is full); the call is then answered NOT_SUPPORTED at once.
  // Must not block, and must not call back into the RemoteProvider.
  virtual bool SendCall(uint64_t call_id, const provider::CallContext& context,
                        const smccc::Call& call, std::chrono::nanoseconds deadline) = 0;
  // Tells the process that VM `vm` detached. Returns false when it cannot be
  // sent (as for SendCall); the notice is then dropped. Same rules.
  virtual bool SendVmDetached(std::string_view vm) = 0;
  // The provider gave the process up: end its stream with `reason`. Same
  // rules.
  virtual void GiveUp(const absl::Status& reason) = 0;
};

struct RemoteProviderOptions {
  std::string name;
  // What the config lets processes claim, with the argument registers VMs
  // are planned to read and the memory operands they pass for each range.
  std::vector<provider::RangeClaim> allowed;
  // Longest a call may wait for the process.
  std::chrono::nanoseconds call_deadline = std::chrono::seconds(1);
  // Calls unanswered at once per connection; more are answered NOT_SUPPORTED.
  size_t max_in_flight = 1024;
  // Deadlines a connection may miss in a row before it is given up.
  uint32_t max_missed_deadlines = 8;
};

// Counters for listings and tests.
struct RemoteProviderStats {
  uint64_t forwarded = 0;
  uint64_t answered = 0;
  // Answered NOT_SUPPORTED because...
  uint64_t unclaimed = 0;     // no process serves the ID
  uint64_t timed_out = 0;     // the deadline passed
  uint64_t disconnected = 0;  // the process went away with the call
  uint64_t over_limit = 0;    // max_in_flight calls were waiting already
  uint64_t send_failed = 0;   // the link refused it
  // Answers dropped: for calls not asked, answered already, or too late.
  uint64_t stray_results = 0;
  // Calls whose deadline passed while they waited to be sent: dropped
  // unsent (their vCPUs were answered NOT_SUPPORTED, counted in timed_out).
  uint64_t expired_in_queue = 0;
  // VmDetached notices handed to a serving process, and those its link
  // refused (dropped).
  uint64_t detach_notices = 0;
  uint64_t detach_notices_dropped = 0;
  // Connections given up after max_missed_deadlines.
  uint64_t given_up = 0;
};

class RemoteProvider final : public provider::Provider {
 public:
  // `timer` must outlive the provider.
  RemoteProvider(RemoteProviderOptions options, base::CallTimer& timer);
  ~RemoteProvider() override;

  // One process serving this provider, from its hello until its stream ends.
  class Connection;

  // A process, `peer`, has said hello. `link` must stay valid until
  // Disconnect.
  std::shared_ptr<Connection> Connect(ProviderLink& link, const base::PeerCredentials& peer);

  // The process asks to serve `claim`. OK when granted. Otherwise
  // InvalidArgument when it breaks smccc::CheckClaim's rules;
  // PermissionDenied when it is not part of a configured range
  // (smccc::CheckClaimWithin: inside one, reading no more registers, the
  // same memory operands); AlreadyExists naming the holder when another
  // connection, or this one, serves part of it.
  absl::Status Claim(const std::shared_ptr<Connection>& connection,
                     const provider::RangeClaim& claim) ABSL_LOCKS_EXCLUDED(mu_);

  // The process answered call `call_id`. Returns false, dropping the result,
  // for a call it was not asked, one answered already, or one past its
  // deadline.
  bool Answer(const std::shared_ptr<Connection>& connection, uint64_t call_id,
              const smccc::Result& result);

  // The process is gone: its calls in flight are answered NOT_SUPPORTED now
  // and its ranges are free to claim again. Idempotent.
  void Disconnect(const std::shared_ptr<Connection>& connection) ABSL_LOCKS_EXCLUDED(mu_);

  // Provider:
  std::string_view name() const override { return options_.name; }
  std::vector<provider::RangeClaim> Claims() const override { return options_.allowed; }
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override ABSL_LOCKS_EXCLUDED(mu_);
  // Tells each process serving a range now; returns without waiting.
  void VmDetached(std::string_view vm) override ABSL_LOCKS_EXCLUDED(mu_);

  // A link dropped a call unsent: its deadline passed in the link's queue.
  // Lock-free, so a link may call it with its own lock held.
  void CountExpiredInQueue();

  const RemoteProviderOptions& options() const { return options_; }
  RemoteProviderStats stats() const;
  // The processes now serving at least one range.
  std::vector<base::PeerCredentials> Serving() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct ClaimedRange {
    smccc::FunctionRange range;
    std::shared_ptr<Connection> connection;
  };
  struct Counters;

  const RemoteProviderOptions options_;
  base::CallTimer& timer_;
  // Shared with deadline callbacks, which may outlive the provider.
  const std::shared_ptr<Counters> counters_;

  mutable absl::Mutex mu_;
  std::vector<ClaimedRange> claimed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_REMOTE_REMOTE_PROVIDER_H_
