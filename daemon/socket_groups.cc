#include "socket_groups.h"

#include "absl/strings/str_cat.h"

namespace hypercall::daemon {
namespace {

config::v1::Socket* RoleSocket(config::v1::Sockets& sockets, const std::string& role) {
  if (role == "vmm") return sockets.mutable_vmm();
  if (role == "provider") return sockets.mutable_provider();
  if (role == "observer") return sockets.mutable_observer();
  return nullptr;
}

}  // namespace

absl::Status AddSocketGroup(const std::string& role_and_group, SocketGroups& groups) {
  const size_t equals = role_and_group.find('=');
  const std::string role = role_and_group.substr(0, equals);
  config::v1::Sockets probe;
  if (equals == std::string::npos || RoleSocket(probe, role) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--socket-group takes ROLE=GROUP with ROLE vmm, provider or observer (got '",
                     role_and_group, "')"));
  }
  const std::string group = role_and_group.substr(equals + 1);
  if (group.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--socket-group ", role, "= needs a group name or number"));
  }
  if (!groups.emplace(role, group).second) {
    return absl::InvalidArgumentError(absl::StrCat("--socket-group names ", role, " twice"));
  }
  return absl::OkStatus();
}

config::v1::Config WithSocketGroups(config::v1::Config config, const SocketGroups& groups) {
  for (const auto& [role, group] : groups) {
    config::v1::Socket* socket = RoleSocket(*config.mutable_sockets(), role);
    if (socket->group().empty()) socket->set_group(group);
  }
  return config;
}

}  // namespace hypercall::daemon
