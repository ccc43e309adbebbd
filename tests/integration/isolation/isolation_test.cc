// Isolation between VMs, as an attacker on the same host tries it against
// the real daemon over its real sockets. The sockets are open to everyone
// here (mode 0666), as they are to every member of their group in a real
// deployment: what keeps a VM apart is the daemon's own checks, not the
// socket's mode.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "isolation/other_uids.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

using ::testing::HasSubstr;

class IsolationTest : public OtherUidTest {
 protected:
  void SetUp() override {
    OtherUidTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        StartDaemon("version: 1\n"
                    "provider { name: \"trng\" builtin {} }\n"
                    "sockets { vmm { mode: 0666 } observer { mode: 0666 } }\n"));
    intruder_ = CopyProgram("hypercall-test-vcpu-intruder");

    auto victim = TestVm::Attach(Connect(daemon_->vmm_target()), "victim", 2);
    ASSERT_TRUE(victim.ok()) << victim.status();
    victim_ = *std::move(victim);
    auto answered = victim_->Call(smccc::kTrngVersion);
    ASSERT_TRUE(answered.ok()) << answered.status();
  }

  void TearDown() override {
    victim_.reset();
    OtherUidTest::TearDown();
  }

  // The calls the daemon counts for the victim's session.
  uint64_t VictimCalls() {
    auto observer = v1::ObserverService::NewStub(Connect(daemon_->observer_target()));
    grpc::ClientContext context;
    v1::ListSessionsRequest request;
    *request.mutable_hello() = wire::MakeHello("isolation-test/1");
    v1::ListSessionsReply reply;
    const grpc::Status listed = observer->ListSessions(&context, request, &reply);
    EXPECT_TRUE(listed.ok()) << listed.error_message();
    for (const v1::SessionInfo& session : reply.sessions()) {
      if (session.vm_name() == "victim") return session.calls();
    }
    ADD_FAILURE() << "the victim's session is gone";
    return 0;
  }

  CommandResult Intrude(std::optional<RunAs> as) {
    return RunCommand({intruder_, daemon_->runtime_dir(), "victim", "1"}, 20000, as);
  }

  std::string intruder_;
  std::unique_ptr<TestVm> victim_;
};

TEST_F(IsolationTest, AnotherUidCannotOpenAVcpuOfAVmItDidNotAttach) {
  const CommandResult attack = Intrude(kNobody);
  EXPECT_EQ(attack.exit_code, 0) << attack.out << attack.err;
  EXPECT_THAT(attack.out, HasSubstr("refused: PERMISSION_DENIED: this session was attached by "
                                    "another process"));
  EXPECT_EQ(VictimCalls(), 1u);
  // The victim's own vCPU 1 is still free for it, and its calls still count.
  ASSERT_TRUE(victim_->Call(smccc::kTrngVersion, {}, 1).ok());
  EXPECT_EQ(VictimCalls(), 2u);
  EXPECT_THAT(daemon_->Log(), HasSubstr("refused a vCPU stream of session"));
}

TEST_F(IsolationTest, AttachingTheVictimsNameNamesItsVmmButNotItsSession) {
  auto again = TestVm::Attach(Connect(daemon_->vmm_target()), "victim", 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("VM 'victim' is already attached by the VMM pid "));
  EXPECT_THAT(std::string(again.status().message()),
              ::testing::Not(HasSubstr(victim_->attached().session_id())));
  EXPECT_EQ(VictimCalls(), 1u);
}

TEST_F(IsolationTest, AnotherProcessOfTheSameUidCannotEither) {
  const CommandResult attack = Intrude(std::nullopt);
  EXPECT_EQ(attack.exit_code, 0) << attack.out << attack.err;
  EXPECT_THAT(attack.out, HasSubstr("refused: PERMISSION_DENIED"));
  EXPECT_EQ(VictimCalls(), 1u);
}

}  // namespace
}  // namespace hypercall::testing
