#include "isolation/other_uids.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
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

void OtherUidTest::SetUp() {
  ASSERT_EQ(getuid(), 0u) << "the attacks need a second uid: run the tests as root";
  char dir[] = "/tmp/hypercall-isolation-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  dir_ = dir;
}

void OtherUidTest::TearDown() {
  daemon_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

void OtherUidTest::StartDaemon(const std::string& config, std::vector<std::string> extra_args) {
  const std::string path = dir_ + "/hypercalld.conf";
  std::ofstream(path) << config;
  extra_args.insert(extra_args.begin(), {"--config", path});
  auto daemon = DaemonProcess::Start(std::move(extra_args));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = *std::move(daemon);
  ASSERT_TRUE(OpenToOtherUids(*daemon_, dir_).ok());
}

std::string OtherUidTest::CopyProgram(const std::string& name) {
  absl::StatusOr<std::string> copy = CopyForOtherUids(name, dir_);
  EXPECT_TRUE(copy.ok()) << copy.status();
  return copy.value_or("");
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
