#include "service_status.h"

#include <systemd/sd-daemon.h>

#include <memory>
#include <string_view>

#include "absl/strings/str_format.h"
#include "providers/remote/remote_provider.h"

namespace hypercall::daemon {
namespace {

std::string Count(uint64_t n, std::string_view one, std::string_view many) {
  return absl::StrFormat("%d %s", n, n == 1 ? one : many);
}

}  // namespace

std::string ServiceStatus(const core::Broker& broker) {
  const core::BrokerStats stats = broker.Stats();
  uint64_t providers = 0;
  for (const std::shared_ptr<const core::ProviderEntry>& entry : broker.Providers()) {
    const auto* remote = dynamic_cast<const providers::RemoteProvider*>(entry->provider.get());
    if (remote == nullptr || !remote->Serving().empty()) ++providers;
  }
  return absl::StrFormat("%s, %s, %s, %s", Count(stats.sessions, "VM", "VMs"),
                         Count(stats.vcpu_streams, "vCPU", "vCPUs"),
                         Count(providers, "provider", "providers"),
                         Count(stats.calls_total, "call", "calls"));
}

StatusNotifier::StatusNotifier(std::function<std::string()> status, absl::Duration period)
    : status_(std::move(status)), period_(period), thread_([this] { Run(); }) {}

StatusNotifier::~StatusNotifier() {
  stop_.Notify();
  thread_.join();
}

void StatusNotifier::Run() {
  std::string sent;
  do {
    std::string status = status_();
    if (status != sent) {
      sd_notify(0, ("STATUS=" + status).c_str());
      sent = std::move(status);
    }
  } while (!stop_.WaitForNotificationWithTimeout(period_));
}

}  // namespace hypercall::daemon
