// Calls a gRPC method with raw bytes instead of a typed message, so tests
// can send what no generated stub would: malformed protobuf, the standard
// health and reflection requests, oversized payloads.
#ifndef HYPERCALL_TESTS_INTEGRATION_RAW_GRPC_H_
#define HYPERCALL_TESTS_INTEGRATION_RAW_GRPC_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hypercall::testing {

struct RawReply {
  grpc::Status status;
  // The reply messages, in order, each as its serialized bytes.
  std::vector<std::string> messages;
};

// Sends `request` to the unary `method` ("/pkg.Service/Method").
RawReply RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Opens the streaming `method`, writes each of `requests`, half-closes, and
// reads replies until the server ends the stream.
RawReply RawStreamCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                       const std::vector<std::string>& requests,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Opens the streaming `method` and sends nothing, not even a half-close:
// reads until the server ends the stream or `timeout` passes.
RawReply RawSilentStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         std::chrono::milliseconds timeout);

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_INTEGRATION_RAW_GRPC_H_
