// What systemd shows for the service (`systemctl status hypercalld`, the
// STATUS= of sd_notify(3)): how many VMs, vCPUs, providers and calls, kept
// current at a modest rate.
#ifndef HYPERCALL_DAEMON_SERVICE_STATUS_H_
#define HYPERCALL_DAEMON_SERVICE_STATUS_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/broker.h"

namespace hypercall::daemon {

// "2 VMs, 5 vCPUs, 3 providers, 1207 calls": attached VMs, open vCPU
// streams, providers able to answer (built in, or external with a process
// serving) and calls answered since start.
std::string ServiceStatus(const core::Broker& broker);

// Sends STATUS=`status()` to systemd (sd_notify; nothing without
// NOTIFY_SOCKET) at once, then every `period` when it has changed, from a
// thread of its own until destroyed.
class StatusNotifier {
 public:
  explicit StatusNotifier(std::function<std::string()> status,
                          absl::Duration period = absl::Seconds(1));
  ~StatusNotifier();
  StatusNotifier(const StatusNotifier&) = delete;
  StatusNotifier& operator=(const StatusNotifier&) = delete;

 private:
  void Run();

  const std::function<std::string()> status_;
  const absl::Duration period_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_SERVICE_STATUS_H_
