// What the isolation suites share: a second uid to attack as, and a daemon
// whose runtime dir and test programs that uid can reach (the build tree may
// be under a directory only root can enter).
#ifndef HYPERCALL_TESTS_INTEGRATION_ISOLATION_OTHER_UIDS_H_
#define HYPERCALL_TESTS_INTEGRATION_ISOLATION_OTHER_UIDS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "support/daemon_process.h"
#include "support/provider_process.h"

namespace hypercall::testing {

// nobody:nogroup, an unprivileged uid that attached nothing.
inline constexpr RunAs kNobody = {65534, 65534};

// Lets other uids enter the daemon's runtime dir and its parent, and `dir`.
absl::Status OpenToOtherUids(const DaemonProcess& daemon, const std::string& dir);

// Copies the built program `name` (BinaryPath) into `dir`, mode 0755, for
// other uids to run; its path.
absl::StatusOr<std::string> CopyForOtherUids(const std::string& name, const std::string& dir);

// Starts `argv` as a process of its own that stays (run as `as` when given,
// through setpriv, without supplementary groups), its output in `log_path`,
// and waits up to 10 s until that output holds `ready`. The process, or an
// error with what it wrote.
absl::StatusOr<std::unique_ptr<ProviderProcess>> StartPeer(const std::vector<std::string>& argv,
                                                           std::optional<RunAs> as,
                                                           const std::string& log_path,
                                                           const std::string& ready);

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_INTEGRATION_ISOLATION_OTHER_UIDS_H_
