// Per-peer quotas, attacked over the real sockets by uid 65534: it may hold
// only its share of the sessions and of the provider streams (limits
// max_sessions_per_uid, max_provider_streams_per_uid); past it, it is
// refused RESOURCE_EXHAUSTED naming the limit, while other uids still
// attach and serve.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "isolation/other_uids.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "test_provider.h"

namespace hypercall::testing {
namespace {

class QuotaTest : public OtherUidTest {
 protected:
  void SetUp() override {
    OtherUidTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        StartDaemon("version: 1\n"
                    "provider { name: \"trng\" builtin {} }\n"
                    "provider { name: \"ext\" external { allow_uid: [0, 65534] }\n"
                    "           range { first: 0xc6000000 last: 0xc600000f } }\n"
                    "sockets { vmm { mode: 0666 } provider { mode: 0666 } }\n"
                    "limits { max_sessions_per_uid: 2 max_provider_streams_per_uid: 2 }\n"));
    peer_ = CopyProgram("hypercall-test-peer");
  }

  void TearDown() override {
    holder_.reset();
    OtherUidTest::TearDown();
  }

  // Runs the peer as nobody with `args`, holding what it got until killed.
  void HoldAsNobody(const std::vector<std::string>& args, const std::string& ready) {
    std::vector<std::string> argv = {peer_, "--hold"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto holder = StartPeer(argv, kNobody, dir_ + "/holder.log", ready);
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_ = *std::move(holder);
  }

  std::string RunAsNobody(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {peer_};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult run = RunCommand(argv, 20000, kNobody);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run.out;
  }

  std::string peer_;
  std::unique_ptr<ProviderProcess> holder_;
};

TEST_F(QuotaTest, OneUidCannotTakeEverySession) {
  HoldAsNobody({"attach", daemon_->runtime_dir(), "n-1", "n-2"}, "n-2: attached");
  EXPECT_EQ(RunAsNobody({"attach", daemon_->runtime_dir(), "n-3"}),
            "n-3: refused RESOURCE_EXHAUSTED: session limit per uid reached: uid 65534 has 2 live "
            "sessions (limits.max_sessions_per_uid)\n");
  // Another uid is not held back by it.
  auto mine = TestVm::Attach(Connect(daemon_->vmm_target()), "mine", 1);
  EXPECT_TRUE(mine.ok()) << mine.status();
}

TEST_F(QuotaTest, OneUidCannotTakeEveryProviderStream) {
  HoldAsNobody({"serve", daemon_->runtime_dir(), "ext", "2"}, "stream 1: serving");
  EXPECT_EQ(RunAsNobody({"serve", daemon_->runtime_dir(), "ext", "1"}),
            "stream 0: refused RESOURCE_EXHAUSTED: too many provider streams of uid 65534 (limit "
            "2, limits.max_provider_streams_per_uid)\n");
  auto mine = TestProvider::Connect(daemon_->provider_target(), "ext");
  EXPECT_TRUE(mine.ok()) << mine.status();
  // Streams that end give their place back.
  holder_->Signal(SIGKILL);
  holder_->Wait(10000);
  std::string again;
  for (int i = 0; i < 100 && again.find("stream 0: serving") == std::string::npos; ++i) {
    again = RunAsNobody({"serve", daemon_->runtime_dir(), "ext", "1"});
  }
  EXPECT_EQ(again, "stream 0: serving\n");
}

}  // namespace
}  // namespace hypercall::testing
