#include "hypercallctl/rpc_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hypercall::ctl {
namespace {

using ::testing::HasSubstr;

const RpcDescription kStatusRpc = {
    .what = "GetStatus", .socket_path = "/run/hypercalld/observer.sock", .timeout_seconds = 5};

TEST(RpcErrorTest, OkStaysOk) { EXPECT_TRUE(FromRpcStatus(grpc::Status::OK, kStatusRpc).ok()); }

TEST(RpcErrorTest, KeepsTheCodeAndPrintsTheDaemonsMessage) {
  const absl::Status status = FromRpcStatus(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "unsupported protocol version 7"),
      kStatusRpc);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "hypercalld refused GetStatus (FAILED_PRECONDITION): unsupported protocol version 7");
}

TEST(RpcErrorTest, TimeoutSaysHowLongAndWhatToDo) {
  const absl::Status status = FromRpcStatus(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"), kStatusRpc);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(status.message()), HasSubstr("did not answer GetStatus within 5 s"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--timeout"));
}

TEST(RpcErrorTest, LostConnectionNamesTheSocket) {
  const absl::Status status =
      FromRpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed"), kStatusRpc);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            "lost hypercalld on /run/hypercalld/observer.sock during GetStatus: Socket closed");
}

}  // namespace
}  // namespace hypercall::ctl
