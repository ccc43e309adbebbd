// Which providers the daemon runs, and on which ranges: from the config's
// provider blocks, or without them from --providers or the default-on
// built-ins. Used at start and on every reload, so a reload keeps the
// providers it does not change (and the processes serving them).
#ifndef HYPERCALL_DAEMON_PROVIDER_SETUP_H_
#define HYPERCALL_DAEMON_PROVIDER_SETUP_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/call_timer.h"
#include "config/config_check.h"
#include "core/broker.h"
#include "hypercall/config/v1/config.pb.h"
#include "service/external_providers.h"

namespace hypercall::daemon {

struct ProviderSet {
  // For Broker::SetProviders.
  std::vector<core::Broker::ProviderSetup> providers;
  // For the provider socket.
  std::vector<service::ExternalProvider> external;
};

// The providers `config` names (or, when it names none, those of
// `builtin_names`, or the default-on built-ins when that is unset too).
// An entry of `running` with the same name and kind is reused rather than
// made anew (keeping its state) when it is unchanged: for a built-in
// provider, the same options; for an external one, the same claims and
// limits. Fails when a built-in name is not registered or its factory
// refuses its options.
absl::StatusOr<ProviderSet> SetUpProviders(
    const config::v1::Config& config, const std::optional<std::vector<std::string>>& builtin_names,
    const std::vector<core::Broker::ProviderSetup>& running, base::CallTimer& timer);

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_PROVIDER_SETUP_H_
