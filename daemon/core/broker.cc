#include "core/broker.h"

#include "absl/strings/str_format.h"
#include "log.h"

namespace hypercall::core {

using daemon::Log;
using daemon::LogLevel;

Broker::Broker(const BrokerOptions& options)
    : sessions_(options.max_sessions),
      trace_(options.max_trace_watchers, options.trace_queue_capacity) {}

absl::Status Broker::AddProvider(std::unique_ptr<providers::Provider> provider, std::string kind) {
  auto entry = std::make_shared<ProviderEntry>(std::move(provider), std::move(kind));
  for (const providers::RangeClaim& claim : entry->provider->Claims()) {
    if (absl::Status status = router_.Claim({claim.range, claim.args_read_mask, entry});
        !status.ok()) {
      return status;
    }
  }
  absl::MutexLock lock(&mu_);
  providers_.push_back(std::move(entry));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Session>> Broker::Attach(VmDescription vm, std::string software,
                                                        SessionListener* owner) {
  auto session = sessions_.Add(std::move(vm), std::move(software), router_.Snapshot(), owner);
  if (session.ok()) {
    Log(LogLevel::kInfo, "session %s attached: vm=%s vcpus=%d software=%s", (*session)->id(),
        (*session)->vm().name, (*session)->vm().vcpu_count, (*session)->software());
  }
  return session;
}

void Broker::EndSession(Session& session, const absl::Status& reason) {
  sessions_.Remove(session);
  if (session.Close(reason)) {
    Log(LogLevel::kInfo, "session %s detached: vm=%s calls=%d reason=%s", session.id(),
        session.vm().name, session.calls(), reason.ok() ? "VMM closed it" : reason.ToString());
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

absl::Status Broker::OpenVcpu(Session& session, uint32_t index, SessionListener* listener) {
  absl::Status status = session.OpenVcpu(index, listener);
  if (status.ok()) vcpu_streams_.fetch_add(1, std::memory_order_relaxed);
  return status;
}

void Broker::CloseVcpu(Session& session, uint32_t index) {
  session.CloseVcpu(index);
  vcpu_streams_.fetch_sub(1, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<const ProviderEntry>> Broker::Providers() const {
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
