// Standard gRPC tooling works against the daemon: health checking and
// server reflection, spoken with hand-encoded requests exactly as
// grpc_health_probe or grpcurl would send them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "raw_grpc.h"
#include "support/daemon_process.h"
#include "support/test_vm.h"

namespace hypercall::testing {
namespace {

class GrpcToolsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }
  std::shared_ptr<grpc::Channel> channel() {
    return Connect(GetParam() ? daemon_->vmm_target() : daemon_->observer_target());
  }
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_P(GrpcToolsTest, HealthCheckSaysServing) {
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message;
  // the reply {status: SERVING} is field 1, varint 1.
  RawReply reply = RawUnaryCall(channel(), "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
  ASSERT_EQ(reply.messages.size(), 1u);
  EXPECT_EQ(reply.messages[0], std::string("\x08\x01", 2));
}

TEST_P(GrpcToolsTest, ReflectionListsOurServices) {
  // ServerReflectionRequest{list_services: ""}: field 7, length 0.
  RawReply reply =
      RawStreamCall(channel(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    {std::string("\x3a\x00", 2)});
  ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
  ASSERT_EQ(reply.messages.size(), 1u);
  const std::string expected =
      GetParam() ? "hypercall.v1.VmmService" : "hypercall.v1.ObserverService";
  EXPECT_NE(reply.messages[0].find(expected), std::string::npos);
  EXPECT_NE(reply.messages[0].find("grpc.health.v1.Health"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothSockets, GrpcToolsTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Vmm" : "Observer"; });

}  // namespace
}  // namespace hypercall::testing
