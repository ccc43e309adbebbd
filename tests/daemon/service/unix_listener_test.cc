// The daemon's own listener: connections reach the gRPC server, and each
// call's peer is the process the kernel says connected.
#include "service/unix_listener.h"

#include <grp.h>
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "base/process_info.h"
#include "gtest/gtest.h"
#include "hypercall/v1/observer.grpc.pb.h"

namespace hypercall::service {
namespace {

std::vector<gid_t> OwnGroups() {
  std::vector<gid_t> groups(getgroups(0, nullptr));
  groups.resize(getgroups(groups.size(), groups.data()));
  std::sort(groups.begin(), groups.end());
  return groups;
}

// Answers GetStatus with what the directory knows of the caller.
class WhoAmIService : public v1::ObserverService::CallbackService {
 public:
  explicit WhoAmIService(const PeerDirectory& peers) : peers_(peers) {}

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::StatusRequest*, v1::StatusReply* reply) override {
    std::optional<PeerCredentials> peer = peers_.Find(context->peer());
    reply->set_runtime_dir(peer ? DescribePeer(*peer) : "unknown peer " + context->peer());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const PeerDirectory& peers_;
};

class UnixListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hypercall-listener-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/test.sock";
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    listener_.reset();
    if (server_) server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }

  absl::StatusOr<std::string> AskWhoAmI() {
    auto stub = v1::ObserverService::NewStub(
        grpc::CreateChannel("unix:" + path_, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::StatusReply reply;
    grpc::Status status = stub->GetStatus(&context, v1::StatusRequest(), &reply);
    if (!status.ok()) return absl::UnavailableError(status.error_message());
    return reply.runtime_dir();
  }

  std::string dir_;
  std::string path_;
  PeerDirectory peers_;
  WhoAmIService service_{peers_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ConnectionLimiter> limiter_ =
      *ConnectionLimiter::Create({.max_total = 64, .max_per_uid = 64});
  std::unique_ptr<UnixListener> listener_;
};

TEST_F(UnixListenerTest, TheSocketIsBornWithItsMode) {
  auto listener = UnixListener::Listen(path_, 0640);
  ASSERT_TRUE(listener.ok()) << listener.status();
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(UnixListenerTest, EachCallKnowsTheKernelVerifiedPeer) {
  auto listener = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(listener.ok()) << listener.status();
  listener_ = std::move(*listener);
  listener_->Serve(*server_, peers_, *limiter_);
  const std::string expected = DescribePeer({.pid = getpid(),
                                             .uid = getuid(),
                                             .gid = getgid(),
                                             .groups = OwnGroups(),
                                             .unit = base::ProcessUnit(getpid())});
  for (int i = 0; i < 3; ++i) {  // New channels, new connections, each recorded.
    absl::StatusOr<std::string> who = AskWhoAmI();
    ASSERT_TRUE(who.ok()) << who.status();
    EXPECT_EQ(*who, expected);
  }
}

TEST_F(UnixListenerTest, SupplementaryGroupsAreTheOnesThePeerHadWhenItConnected) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change this process's groups";
  auto listener = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(listener.ok()) << listener.status();
  listener_ = std::move(*listener);
  listener_->Serve(*server_, peers_, *limiter_);
  const std::vector<gid_t> saved = OwnGroups();
  const std::vector<gid_t> test_groups = {4242, 4343, 65000};
  // glibc applies setgroups to every thread, gRPC's included.
  ASSERT_EQ(setgroups(test_groups.size(), test_groups.data()), 0);
  absl::StatusOr<std::string> who = AskWhoAmI();
  ASSERT_EQ(setgroups(saved.size(), saved.data()), 0);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(*who, DescribePeer({.pid = getpid(),
                                .uid = getuid(),
                                .gid = getgid(),
                                .groups = test_groups,
                                .unit = base::ProcessUnit(getpid())}));
}

TEST_F(UnixListenerTest, AfterStoppingNoNewConnectionIsAccepted) {
  auto listener = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(listener.ok()) << listener.status();
  listener_ = std::move(*listener);
  listener_->Serve(*server_, peers_, *limiter_);
  ASSERT_TRUE(AskWhoAmI().ok());
  listener_.reset();
  EXPECT_FALSE(AskWhoAmI().ok());
}

TEST_F(UnixListenerTest, ABusyOrOverlongPathIsAnError) {
  auto first = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(first.ok());
  auto second = UnixListener::Listen(path_, 0660);
  EXPECT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen on " + path_), std::string::npos);
  auto overlong = UnixListener::Listen("/tmp/" + std::string(200, 'x'), 0660);
  EXPECT_EQ(overlong.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(UnixListenerTest, TheSocketAppearsWithItsOwnerAndNothingIsLeftBeside) {
  auto listener = UnixListener::Listen(path_, 0660, {.uid = 65534, .gid = 65534});
  ASSERT_TRUE(listener.ok()) << listener.status();
  struct stat info {};
  ASSERT_EQ(lstat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 65534u);
  EXPECT_EQ(info.st_gid, 65534u);
  EXPECT_EQ(info.st_mode & 0777, 0660u);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"test.sock"});
}

TEST_F(UnixListenerTest, StoppingRemovesItsSocketButNeverOneThatReplacedIt) {
  auto listener = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(listener.ok());
  listener->reset();
  EXPECT_FALSE(std::filesystem::exists(path_));

  auto first = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(first.ok());
  // Another daemon took the path over (someone removed this one's file).
  ASSERT_EQ(unlink(path_.c_str()), 0);
  auto second = UnixListener::Listen(path_, 0660);
  ASSERT_TRUE(second.ok());
  first->reset();
  EXPECT_TRUE(std::filesystem::exists(path_));
  second->reset();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST(PeerDirectoryTest, OnlyFdPeersOfRecordedConnectionsAreFound) {
  PeerDirectory peers;
  peers.Record(7, {.pid = 1, .uid = 2, .gid = 3, .groups = {}});
  ASSERT_TRUE(peers.Find("fd:7").has_value());
  EXPECT_EQ(peers.Find("fd:7")->uid, 2u);
  peers.Record(7, {.pid = 4, .uid = 5, .gid = 6, .groups = {}});
  EXPECT_EQ(peers.Find("fd:7")->pid, 4);
  EXPECT_FALSE(peers.Find("fd:8").has_value());
  EXPECT_FALSE(peers.Find("unix:/run/x.sock").has_value());
  EXPECT_FALSE(peers.Find("fd:").has_value());
  EXPECT_FALSE(peers.Find("fd:7x").has_value());
}

}  // namespace
}  // namespace hypercall::service
