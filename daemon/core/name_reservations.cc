#include "core/name_reservations.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "base/log.h"
#include "base/process_info.h"

namespace hypercall::core {

using daemon::Log;
using daemon::LogLevel;

NameReservations::NameReservations(const std::vector<HeldName>& held, absl::Time until,
                                   const base::Clock& clock)
    : until_(until), clock_(&clock) {
  absl::MutexLock lock(&mu_);
  for (const HeldName& name : held) held_.emplace(name.name, name);
}

absl::Status NameReservations::Check(std::string_view name,
                                     const std::optional<base::PeerCredentials>& peer) const {
  if (Over()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  auto it = held_.find(absl::string_view(name.data(), name.size()));
  if (it == held_.end()) return absl::OkStatus();
  const HeldName& holder = it->second;
  if (peer.has_value() && peer->pid == holder.pid && peer->uid == holder.uid &&
      peer->start_time == holder.start_time) {
    return absl::OkStatus();
  }
  const double left = std::ceil(absl::ToDoubleSeconds(until_ - clock_->Now()));
  return absl::UnavailableError(absl::StrFormat(
      "VM '%s' is reserved for its VMM (pid %d) until it re-attaches (up to %.0fs): the daemon "
      "restarted while that VMM had it attached",
      holder.name, holder.pid, left));
}

void NameReservations::Release(std::string_view name) {
  absl::MutexLock lock(&mu_);
  held_.erase(absl::string_view(name.data(), name.size()));
}

std::vector<HeldName> NameReservations::Pending() const {
  if (Over()) return {};
  absl::MutexLock lock(&mu_);
  std::vector<HeldName> pending;
  for (const auto& [name, held] : held_) pending.push_back(held);
  return pending;
}

std::vector<HeldName> LoadHeldNames(const std::string& path) {
  absl::StatusOr<std::string> text = ReadHeldNamesFile(path);
  if (!text.ok()) {
    if (!absl::IsNotFound(text.status())) {
      Log(LogLevel::kWarning, "no VM names reserved after the restart: %s",
          text.status().message());
    }
    return {};
  }
  ParsedHeldNames parsed = ParseHeldNames(*text);
  for (const std::string& skipped : parsed.skipped) {
    Log(LogLevel::kWarning, "%s: skipped %s", path, skipped);
  }
  std::vector<HeldName> alive;
  for (HeldName& held : parsed.names) {
    if (base::ProcessStartTime(held.pid) != held.start_time) {
      Log(LogLevel::kInfo, "VM '%s' is not reserved: its VMM (pid %d) is gone", held.name,
          held.pid);
      continue;
    }
    alive.push_back(std::move(held));
  }
  return alive;
}

}  // namespace hypercall::core
