#include "providers/remote/remote_provider.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "smccc/range_claim.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

smccc::Result NotSupported() { return smccc::Result::Code(smccc::kNotSupported); }

}  // namespace

struct RemoteProvider::Counters {
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> unclaimed{0};
  std::atomic<uint64_t> timed_out{0};
  std::atomic<uint64_t> disconnected{0};
  std::atomic<uint64_t> over_limit{0};
  std::atomic<uint64_t> send_failed{0};
  std::atomic<uint64_t> stray_results{0};
  std::atomic<uint64_t> expired_in_queue{0};
  std::atomic<uint64_t> detach_notices{0};
  std::atomic<uint64_t> detach_notices_dropped{0};
  std::atomic<uint64_t> given_up{0};
};

// The calls one process has been sent and not yet answered, each with its
// deadline. Its own lock, so deadline callbacks need only the connection.
class RemoteProvider::Connection {
 public:
  Connection(ProviderLink& link, const base::PeerCredentials& peer)
      : link_(&link), peer_(peer), who_(base::DescribePeer(peer)) {}

  const base::PeerCredentials& peer() const { return peer_; }
  const std::string& who() const { return who_; }

  bool disconnected() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return disconnected_;
  }

  // Sends `call` with a deadline; answers it NOT_SUPPORTED (counted) when it
  // cannot be sent.
  static void Forward(const std::shared_ptr<Connection>& self, const provider::CallContext& context,
                      const smccc::Call& call, provider::Completion& done,
                      const RemoteProviderOptions& options, base::CallTimer& timer,
                      const std::shared_ptr<Counters>& counters) {
    {
      absl::MutexLock lock(&self->mu_);
      std::atomic<uint64_t>* refused = nullptr;
      if (self->disconnected_) {
        refused = &counters->unclaimed;
      } else if (self->pending_.size() >= options.max_in_flight) {
        refused = &counters->over_limit;
      } else {
        const uint64_t call_id = self->next_call_id_++;
        const base::CallTimer::Id deadline =
            timer.ScheduleAfter(absl::FromChrono(options.call_deadline),
                                [weak = std::weak_ptr<Connection>(self), call_id, counters, &timer,
                                 max_missed = options.max_missed_deadlines] {
                                  std::shared_ptr<Connection> connection = weak.lock();
                                  if (connection != nullptr)
                                    connection->TimeOut(call_id, max_missed, timer, *counters);
                                });
        self->pending_.emplace(call_id, Pending{&done, deadline});
        if (self->link_->SendCall(call_id, context, call, options.call_deadline)) {
          ++counters->forwarded;
          return;
        }
        self->pending_.erase(call_id);
        timer.Cancel(deadline);
        refused = &counters->send_failed;
      }
      ++*refused;
    }
    done.Complete(NotSupported());
  }

  // Hands the process the notice that `vm` detached; false when its link
  // refused it or it is gone.
  bool SendVmDetached(std::string_view vm) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return !disconnected_ && link_->SendVmDetached(vm);
  }

  // Ends call `call_id` with `result` if it is still waiting, counting it
  // in `outcome` first; returns whether it was.
  bool Finish(uint64_t call_id, const smccc::Result& result, base::CallTimer& timer,
              std::atomic<uint64_t>& outcome) ABSL_LOCKS_EXCLUDED(mu_) {
    provider::Completion* done = nullptr;
    {
      absl::MutexLock lock(&mu_);
      auto it = pending_.find(call_id);
      if (it == pending_.end()) return false;
      ++outcome;
      done = it->second.done;
      timer.Cancel(it->second.deadline);
      pending_.erase(it);
    }
    done->Complete(result);
    return true;
  }

  // The process answered a call in time.
  void AnsweredInTime() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    missed_in_a_row_ = 0;
  }

  // Call `call_id`'s deadline passed: if it is still waiting it ends
  // NOT_SUPPORTED, counted as timed out, and, when it is the `max_missed`th
  // in a row, the process is given up first: marked gone (its ranges free,
  // as for Close) and its stream told to end, in the same step, so whoever
  // sees the call's answer sees the process gone.
  void TimeOut(uint64_t call_id, uint32_t max_missed, base::CallTimer& timer, Counters& counters)
      ABSL_LOCKS_EXCLUDED(mu_) {
    provider::Completion* done = nullptr;
    std::vector<provider::Completion*> orphans;
    bool given_up = false;
    {
      absl::MutexLock lock(&mu_);
      auto it = pending_.find(call_id);
      if (it == pending_.end()) return;
      ++counters.timed_out;
      done = it->second.done;
      pending_.erase(it);
      if (!disconnected_ && ++missed_in_a_row_ >= max_missed) {
        link_->GiveUp(absl::UnavailableError(absl::StrFormat(
            "%d calls in a row were not answered within their deadline "
            "(limits.max_missed_deadlines): the provider's ranges are free for another process",
            max_missed)));
        orphans = CloseLocked(timer);
        counters.disconnected += orphans.size();
        ++counters.given_up;
        given_up = true;
      }
    }
    if (given_up) {
      daemon::Log(daemon::LogLevel::kWarning,
                  "gave up on provider process %s: it missed %d deadlines in a row; its ranges "
                  "are free",
                  who_, max_missed);
    }
    for (provider::Completion* orphan : orphans) orphan->Complete(NotSupported());
    done->Complete(NotSupported());
  }

  // Marks the process gone and answers its calls NOT_SUPPORTED, counting
  // them in `outcome` first.
  void Close(base::CallTimer& timer, std::atomic<uint64_t>& outcome) ABSL_LOCKS_EXCLUDED(mu_) {
    std::vector<provider::Completion*> orphans;
    {
      absl::MutexLock lock(&mu_);
      orphans = CloseLocked(timer);
      outcome += orphans.size();
    }
    for (provider::Completion* done : orphans) done->Complete(NotSupported());
  }

 private:
  struct Pending {
    provider::Completion* done;
    base::CallTimer::Id deadline;
  };

  // Used only under mu_: it stays valid until Disconnect, which Close marks
  // under mu_ too.
  ProviderLink* const link_ ABSL_PT_GUARDED_BY(mu_);
  const base::PeerCredentials peer_;
  const std::string who_;
  mutable absl::Mutex mu_;
  bool disconnected_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_call_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint32_t missed_in_a_row_ ABSL_GUARDED_BY(mu_) = 0;

  // Marks the process gone; the calls it had, to be answered NOT_SUPPORTED
  // once mu_ is released.
  std::vector<provider::Completion*> CloseLocked(base::CallTimer& timer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    disconnected_ = true;
    std::vector<provider::Completion*> orphans;
    for (const auto& [call_id, pending] : pending_) {
      timer.Cancel(pending.deadline);
      orphans.push_back(pending.done);
    }
    pending_.clear();
    return orphans;
  }
  absl::flat_hash_map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

RemoteProvider::RemoteProvider(RemoteProviderOptions options, base::CallTimer& timer)
    : options_(std::move(options)), timer_(timer), counters_(std::make_shared<Counters>()) {}

RemoteProvider::~RemoteProvider() {
  std::vector<std::shared_ptr<Connection>> connections;
  {
    absl::MutexLock lock(&mu_);
    for (const ClaimedRange& claimed : claimed_) connections.push_back(claimed.connection);
  }
  for (const std::shared_ptr<Connection>& connection : connections) Disconnect(connection);
}

std::shared_ptr<RemoteProvider::Connection> RemoteProvider::Connect(
    ProviderLink& link, const base::PeerCredentials& peer) {
  return std::make_shared<Connection>(link, peer);
}

absl::Status RemoteProvider::Claim(const std::shared_ptr<Connection>& connection,
                                   const provider::RangeClaim& claim) {
  if (absl::Status status = smccc::CheckClaim(claim); !status.ok()) return status;
  if (absl::Status status = smccc::CheckClaimWithin(
          claim, options_.allowed, absl::StrFormat("provider \"%s\"", options_.name));
      !status.ok()) {
    return status;
  }
  absl::MutexLock lock(&mu_);
  if (connection->disconnected()) {
    return absl::FailedPreconditionError("the provider's stream has ended");
  }
  // A process given up (or gone) holds nothing.
  std::erase_if(claimed_,
                [](const ClaimedRange& claimed) { return claimed.connection->disconnected(); });
  for (const ClaimedRange& held : claimed_) {
    if (absl::Status status = smccc::CheckNoOverlap(
            claim.range, held.range,
            absl::StrFormat(
                "provider \"%s\", served by %s", options_.name,
                held.connection == connection ? "this stream" : held.connection->who()));
        !status.ok()) {
      return status;
    }
  }
  claimed_.push_back({claim.range, connection});
  return absl::OkStatus();
}

void RemoteProvider::Handle(const provider::CallContext& context, const smccc::Call& call,
                            provider::Completion& done) {
  const uint32_t id = smccc::RoutingId(call.function_id);
  std::shared_ptr<Connection> connection;
  {
    absl::MutexLock lock(&mu_);
    for (const ClaimedRange& claimed : claimed_) {
      if (claimed.range.Contains(id)) connection = claimed.connection;
    }
  }
  if (connection == nullptr) {
    ++counters_->unclaimed;
    done.Complete(NotSupported());
    return;
  }
  Connection::Forward(connection, context, call, done, options_, timer_, counters_);
}

void RemoteProvider::VmDetached(std::string_view vm) {
  std::vector<std::shared_ptr<Connection>> serving;
  {
    absl::MutexLock lock(&mu_);
    for (const ClaimedRange& claimed : claimed_) {
      if (std::find(serving.begin(), serving.end(), claimed.connection) == serving.end()) {
        serving.push_back(claimed.connection);
      }
    }
  }
  for (const std::shared_ptr<Connection>& connection : serving) {
    if (connection->SendVmDetached(vm)) {
      ++counters_->detach_notices;
      continue;
    }
    ++counters_->detach_notices_dropped;
    daemon::Log(daemon::LogLevel::kDebug,
                "provider %s: the notice that VM %s detached was dropped for %s (its stream is "
                "closing or its send queue is full)",
                options_.name, daemon::Escaped(vm), connection->who());
  }
}

bool RemoteProvider::Answer(const std::shared_ptr<Connection>& connection, uint64_t call_id,
                            const smccc::Result& result) {
  if (connection->Finish(call_id, result, timer_, counters_->answered)) {
    connection->AnsweredInTime();
    return true;
  }
  ++counters_->stray_results;
  return false;
}

void RemoteProvider::Disconnect(const std::shared_ptr<Connection>& connection) {
  {
    absl::MutexLock lock(&mu_);
    std::erase_if(claimed_,
                  [&](const ClaimedRange& claimed) { return claimed.connection == connection; });
  }
  connection->Close(timer_, counters_->disconnected);
}

void RemoteProvider::CountExpiredInQueue() { ++counters_->expired_in_queue; }

RemoteProviderStats RemoteProvider::stats() const {
  return {
      .forwarded = counters_->forwarded,
      .answered = counters_->answered,
      .unclaimed = counters_->unclaimed,
      .timed_out = counters_->timed_out,
      .disconnected = counters_->disconnected,
      .over_limit = counters_->over_limit,
      .send_failed = counters_->send_failed,
      .stray_results = counters_->stray_results,
      .expired_in_queue = counters_->expired_in_queue,
      .detach_notices = counters_->detach_notices,
      .detach_notices_dropped = counters_->detach_notices_dropped,
      .given_up = counters_->given_up,
  };
}

std::vector<base::PeerCredentials> RemoteProvider::Serving() const {
  absl::MutexLock lock(&mu_);
  std::vector<base::PeerCredentials> serving;
  std::vector<const Connection*> seen;
  for (const ClaimedRange& claimed : claimed_) {
    if (claimed.connection->disconnected()) continue;
    if (std::find(seen.begin(), seen.end(), claimed.connection.get()) != seen.end()) continue;
    seen.push_back(claimed.connection.get());
    serving.push_back(claimed.connection->peer());
  }
  return serving;
}

}  // namespace hypercall::providers
