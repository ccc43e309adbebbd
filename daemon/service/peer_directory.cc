#include "service/peer_directory.h"

#include "absl/strings/numbers.h"
#include "base/process_info.h"

namespace hypercall::service {

void PeerDirectory::Record(int fd, const PeerCredentials& peer) {
  PeerCredentials recorded = peer;
  recorded.unit = base::ProcessUnit(peer.pid);
  recorded.start_time = base::ProcessStartTime(peer.pid).value_or(0);
  absl::MutexLock lock(&mu_);
  peers_[fd] = std::move(recorded);
}

std::optional<int> ConnectionFd(std::string_view grpc_peer) {
  constexpr std::string_view kPrefix = "fd:";
  int fd = -1;
  if (grpc_peer.substr(0, kPrefix.size()) != kPrefix ||
      !absl::SimpleAtoi(
          absl::string_view(grpc_peer.data() + kPrefix.size(), grpc_peer.size() - kPrefix.size()),
          &fd)) {
    return std::nullopt;
  }
  return fd;
}

std::optional<PeerCredentials> PeerDirectory::Find(std::string_view grpc_peer) const {
  const std::optional<int> fd = ConnectionFd(grpc_peer);
  if (!fd.has_value()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(*fd);
  if (it == peers_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hypercall::service
