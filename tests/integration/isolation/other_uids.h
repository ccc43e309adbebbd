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
#include "gtest/gtest.h"
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

// What each isolation suite does first. SetUp checks the test runs as root
// (the attacks drop to another uid) and makes a temporary directory;
// StartDaemon starts the daemon on a config written there, with its sockets
// and the directory reachable by other uids. TearDown stops the daemon and
// removes the directory: a suite resets what it holds first.
class OtherUidTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Writes `config` to <dir_>/hypercalld.conf and starts the daemon with
  // --config on it and `extra_args`. Fails the test when it cannot.
  void StartDaemon(const std::string& config, std::vector<std::string> extra_args = {});
  // CopyForOtherUids into dir_; fails the test when it cannot.
  std::string CopyProgram(const std::string& name);

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

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
