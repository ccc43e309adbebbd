#include "isolation/other_uids.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

namespace hypercall::testing {

absl::Status OpenToOtherUids(const DaemonProcess& daemon, const std::string& dir) {
  const std::filesystem::path runtime(daemon.runtime_dir());
  for (const std::filesystem::path& path :
       {runtime.parent_path(), runtime, std::filesystem::path(dir)}) {
    if (chmod(path.c_str(), 0755) != 0) return absl::ErrnoToStatus(errno, path.string());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CopyForOtherUids(const std::string& name, const std::string& dir) {
  const std::string copy = dir + "/" + name;
  std::error_code error;
  std::filesystem::copy_file(BinaryPath(name), copy,
                             std::filesystem::copy_options::overwrite_existing, error);
  if (error) return absl::InternalError("cannot copy " + name + ": " + error.message());
  if (chmod(copy.c_str(), 0755) != 0) return absl::ErrnoToStatus(errno, copy);
  return copy;
}

absl::StatusOr<std::unique_ptr<ProviderProcess>> StartPeer(const std::vector<std::string>& argv,
                                                           std::optional<RunAs> as,
                                                           const std::string& log_path,
                                                           const std::string& ready) {
  ProviderProcess::Options options;
  options.log_path = log_path;
  if (as.has_value()) {
    options.argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(as->uid),
                    "--regid=" + std::to_string(as->gid), "--clear-groups"};
  }
  options.argv.insert(options.argv.end(), argv.begin(), argv.end());
  absl::StatusOr<std::unique_ptr<ProviderProcess>> peer = ProviderProcess::Start(options);
  if (!peer.ok()) return peer.status();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*peer)->Log().find(ready) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError("the peer did not say \"" + ready +
                                         "\": " + (*peer)->Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return peer;
}

}  // namespace hypercall::testing
