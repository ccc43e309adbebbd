#include "core/broker.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "base/log.h"
#include "base/rate_limited_log.h"

namespace hypercall::core {

using daemon::Escaped;
using daemon::Log;
using daemon::LogLevel;
using daemon::RateLimitedLog;

namespace {
// Attach and detach lines a second, each: enough for every VM of a host
// starting at once to be logged, not for a peer attaching in a loop to
// flood the journal.
constexpr int kSessionLinesPerSecond = 50;
}  // namespace

Broker::Broker(const BrokerOptions& options)
    : call_deadline_(options.call_deadline),
      sessions_(options.max_sessions),
      trace_(options.max_trace_watchers, options.trace_queue_capacity) {}

absl::StatusOr<std::shared_ptr<ProviderEntry>> Broker::AddProvider(
    std::unique_ptr<provider::Provider> provider, std::string kind) {
  auto entry = std::make_shared<ProviderEntry>(std::move(provider), std::move(kind));
  std::vector<ProviderSetup> providers;
  {
    absl::MutexLock lock(&mu_);
    providers = providers_;
  }
  providers.push_back({entry, entry->provider->Claims()});
  if (absl::Status status = SetProviders(std::move(providers)); !status.ok()) return status;
  return entry;
}

absl::Status Broker::SetProviders(std::vector<ProviderSetup> providers) {
  auto table = std::make_shared<RangeTable>();
  for (const ProviderSetup& setup : providers) {
    for (const provider::RangeClaim& claim : setup.claims) {
      if (absl::Status status =
              table->Insert({claim.range, claim.args_read_mask, setup.entry, claim.memory});
          !status.ok()) {
        return status;
      }
    }
  }
  absl::MutexLock lock(&mu_);
  providers_ = std::move(providers);
  router_.Publish(std::move(table));
  return absl::OkStatus();
}

void Broker::SetPlanPolicy(PlanPolicy policy) {
  auto shared = policy ? std::make_shared<const PlanPolicy>(std::move(policy)) : nullptr;
  absl::MutexLock lock(&mu_);
  plan_policy_ = std::move(shared);
}

absl::StatusOr<std::shared_ptr<Session>> Broker::Attach(VmDescription vm, std::string software,
                                                        SessionListener* owner,
                                                        std::optional<base::PeerCredentials> peer) {
  std::shared_ptr<const RangeTable> routes = router_.Snapshot();
  std::shared_ptr<const PlanPolicy> policy;
  {
    absl::MutexLock lock(&mu_);
    policy = plan_policy_;
  }
  if (policy != nullptr) {
    auto planned = std::make_shared<RangeTable>();
    for (const Route& route : routes->routes()) {
      // Routes of a valid table always insert into a subset of it.
      if ((*policy)(vm.name, route.provider->name)) planned->Insert(route).IgnoreError();
    }
    routes = std::move(planned);
  }
  auto session = sessions_.Add(std::move(vm), std::move(software), std::move(routes), owner, peer);
  if (session.ok()) {
    static RateLimitedLog attach_log(kSessionLinesPerSecond);
    attach_log.Log(LogLevel::kInfo, "session %s attached: vm=%s vcpus=%d software=%s %s",
                   (*session)->id(), Escaped((*session)->vm().name), (*session)->vm().vcpu_count,
                   Escaped((*session)->software()),
                   peer.has_value() ? base::DescribePeer(*peer) : "(peer unknown)");
  }
  return session;
}

void Broker::EndSession(Session& session, const absl::Status& reason) {
  if (session.Close(reason)) {
    static RateLimitedLog detach_log(kSessionLinesPerSecond);
    detach_log.Log(LogLevel::kInfo, "session %s detached: vm=%s calls=%d reason=%s", session.id(),
                   Escaped(session.vm().name), session.calls(),
                   reason.ok() ? "VMM closed it" : Escaped(reason.ToString()));
    // Before the name is free again, so a VM attaching under it next never
    // has its new state dropped by this one's detach.
    absl::flat_hash_set<const ProviderEntry*> told;
    for (const Route& route : session.routes().routes()) {
      if (told.insert(route.provider.get()).second) {
        route.provider->provider->VmDetached(session.vm().name);
      }
    }
  }
  sessions_.Remove(session);
}

absl::StatusOr<std::shared_ptr<Session>> Broker::FindSession(const std::string& id) const {
  std::shared_ptr<Session> session = sessions_.Find(id);
  if (session == nullptr) {
    return absl::NotFoundError(absl::StrFormat(
        "no live session '%s': attach first (SessionRequest.attach) and use the session_id "
        "from Attached",
        id));
  }
  return session;
}

absl::Status Broker::OpenVcpu(Session& session, uint32_t index, SessionListener* listener,
                              const std::optional<base::PeerCredentials>& opener) {
  absl::Status status = session.OpenVcpu(index, listener, opener);
  if (status.ok()) vcpu_streams_.fetch_add(1, std::memory_order_relaxed);
  return status;
}

void Broker::CloseVcpu(Session& session, uint32_t index) {
  session.CloseVcpu(index);
  vcpu_streams_.fetch_sub(1, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<const ProviderEntry>> Broker::Providers() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const ProviderEntry>> entries;
  for (const ProviderSetup& setup : providers_) entries.push_back(setup.entry);
  return entries;
}

std::vector<Broker::ProviderSetup> Broker::ProviderSetups() const {
  absl::MutexLock lock(&mu_);
  return providers_;
}

BrokerStats Broker::Stats() const {
  BrokerStats stats;
  stats.sessions = static_cast<uint32_t>(sessions_.size());
  stats.vcpu_streams = vcpu_streams_.load(std::memory_order_relaxed);
  stats.calls_total = calls_total_.load(std::memory_order_relaxed);
  stats.calls_unowned = calls_unowned_.load(std::memory_order_relaxed);
  stats.trace_watchers = static_cast<uint32_t>(trace_.watchers());
  stats.trace_events_dropped = trace_.dropped();
  stats.protocol_errors = protocol_errors_.load(std::memory_order_relaxed);
  return stats;
}

void Broker::Shutdown() {
  trace_.Close();
  for (const std::shared_ptr<Session>& session : sessions_.CloseAll()) {
    EndSession(*session, absl::UnavailableError("hypercalld is shutting down"));
  }
}

}  // namespace hypercall::core
