#include "core/broker.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

// The names the held-names file says live processes held, reserved for
// them for the grace period from now.
NameReservations ReserveHeldNames(const BrokerOptions& options) {
  if (options.held_names_path.empty() || options.restart_grace.count() == 0) {
    return NameReservations();
  }
  const std::vector<HeldName> held = LoadHeldNames(options.held_names_path);
  const absl::Duration grace = absl::FromChrono(options.restart_grace);
  if (!held.empty()) {
    Log(LogLevel::kInfo, "reserving %d VM names for %s for the VMMs that held them: %s",
        held.size(), absl::FormatDuration(grace),
        absl::StrJoin(held, ", ", [](std::string* out, const HeldName& name) {
          absl::StrAppendFormat(out, "%s (pid %d)", name.name, name.pid);
        }));
  }
  return NameReservations(held, options.clock->Now() + grace, *options.clock);
}

}  // namespace

Broker::Broker(const BrokerOptions& options)
    : call_deadline_(options.call_deadline),
      sessions_(options.max_sessions, options.max_sessions_per_uid),
      trace_(options.max_trace_watchers, options.trace_queue_capacity),
      held_names_path_(options.held_names_path),
      reservations_(ReserveHeldNames(options)) {}

absl::StatusOr<std::shared_ptr<ProviderEntry>> Broker::AddProvider(
    std::unique_ptr<provider::Provider> provider, std::string kind) {
  auto entry = std::make_shared<ProviderEntry>(std::move(provider), std::move(kind));
  std::vector<ProviderSetup> providers;
  VmPolicy policy;
  {
    absl::MutexLock lock(&mu_);
    providers = providers_;
    if (vm_policy_ != nullptr) policy = *vm_policy_;
  }
  providers.push_back({entry, entry->provider->Claims()});
  if (absl::Status status = SetProviders(std::move(providers), std::move(policy)); !status.ok()) {
    return status;
  }
  return entry;
}

absl::Status Broker::SetProviders(std::vector<ProviderSetup> providers, VmPolicy policy) {
  auto table = std::make_shared<RangeTable>();
  for (const ProviderSetup& setup : providers) {
    for (const provider::RangeClaim& claim : setup.claims) {
      if (absl::Status status = table->Insert(
              {claim.range, claim.args_read_mask, setup.entry, claim.memory, claim.secret_results});
          !status.ok()) {
        return status;
      }
    }
  }
  auto shared_policy = std::make_shared<const VmPolicy>(std::move(policy));
  absl::flat_hash_set<const ProviderEntry*> kept;
  absl::flat_hash_set<std::string> names;
  for (const ProviderSetup& setup : providers) {
    kept.insert(setup.entry.get());
    names.insert(setup.entry->name);
  }
  std::vector<std::pair<std::shared_ptr<Session>, absl::Status>> stale;
  {
    absl::MutexLock lock(&mu_);
    providers_ = std::move(providers);
    vm_policy_ = std::move(shared_policy);
    router_.Publish(std::move(table));
    // Attach plans and registers under mu_: every session planned with the
    // old set is listed here.
    for (std::shared_ptr<Session>& session : sessions_.List()) {
      for (const Route& route : session->routes().routes()) {
        if (kept.contains(route.provider.get())) continue;
        const std::string& name = route.provider->name;
        stale.emplace_back(
            std::move(session),
            absl::AbortedError(absl::StrFormat(
                "a config reload %s provider \"%s\" of this VM's plan: attach again for the new "
                "plan",
                names.contains(name) ? "changed" : "removed", name)));
        break;
      }
    }
  }
  for (const auto& [session, reason] : stale) EndSession(*session, reason);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Session>> Broker::Attach(
    VmDescription vm, std::string software, SessionListener* owner,
    std::optional<base::PeerCredentials> peer, const std::optional<std::vector<HeldRange>>& held) {
  const std::string name = vm.name;
  absl::StatusOr<std::shared_ptr<Session>> session;
  {
    absl::MutexLock lock(&mu_);
    const VmPolicy* policy = vm_policy_.get();
    if (policy != nullptr && policy->attach) {
      if (absl::Status allowed = policy->attach(name, peer); !allowed.ok()) return allowed;
    }
    if (absl::Status free = reservations_.Check(name, peer); !free.ok()) return free;
    std::shared_ptr<const RangeTable> routes = router_.Snapshot();
    if (policy != nullptr && policy->plan) {
      auto planned = std::make_shared<RangeTable>();
      for (const Route& route : routes->routes()) {
        // Routes of a valid table always insert into a subset of it.
        if (policy->plan(name, route.provider->name)) planned->Insert(route).IgnoreError();
      }
      routes = std::move(planned);
    }
    std::vector<RefusedRange> refused;
    if (held.has_value()) {
      HeldPlanning within = PlanWithin(*routes, *held);
      routes = std::move(within.routes);
      refused = std::move(within.refused);
    }
    session = sessions_.Add(std::move(vm), std::move(software), std::move(routes), owner, peer,
                            std::move(refused));
  }
  if (session.ok()) {
    reservations_.Release(name);
    SaveHeldNames();
    static RateLimitedLog attach_log(kSessionLinesPerSecond);
    attach_log.Log(LogLevel::kInfo, "session %s attached: vm=%s vcpus=%d software=%s %s%s",
                   (*session)->id(), Escaped((*session)->vm().name), (*session)->vm().vcpu_count,
                   Escaped((*session)->software()),
                   peer.has_value() ? base::DescribePeer(*peer) : "(peer unknown)",
                   held.has_value()
                       ? absl::StrFormat(" (re-attached with its plan; %d ranges refused)",
                                         (*session)->refused().size())
                       : "");
    for (const RefusedRange& range : (*session)->refused()) {
      attach_log.Log(LogLevel::kInfo, "session %s: refused range %s of the plan it holds: %s",
                     (*session)->id(), smccc::DescribeRange(range.range), range.reason);
    }
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
  if (sessions_.Remove(session)) SaveHeldNames();
}

void Broker::SaveHeldNames() {
  if (held_names_path_.empty()) return;
  absl::MutexLock lock(&save_mu_);
  if (stopped_) return;
  std::vector<HeldName> held = reservations_.Pending();
  for (const std::shared_ptr<Session>& session : sessions_.List()) {
    const std::optional<base::PeerCredentials>& peer = session->peer();
    // A process whose start /proc did not say cannot be told from one that
    // reuses its pid: nothing to reserve for.
    if (!peer.has_value() || peer->start_time == 0) continue;
    held.push_back({session->vm().name, peer->pid, peer->uid, peer->start_time});
  }
  if (absl::Status status = WriteHeldNamesFile(held_names_path_, held); !status.ok()) {
    Log(LogLevel::kWarning, "VM names will not be reserved after a restart: %s", status.message());
  }
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
  {
    absl::MutexLock lock(&save_mu_);
    stopped_ = true;
  }
  trace_.Close();
  for (const std::shared_ptr<Session>& session : sessions_.CloseAll()) {
    EndSession(*session, absl::UnavailableError("hypercalld is shutting down"));
  }
}

}  // namespace hypercall::core
