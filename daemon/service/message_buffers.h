// Protobuf messages to and from gRPC byte buffers. The VMM streams read raw
// buffers and parse them here, so a malformed message gets an
// INVALID_ARGUMENT that says so (a typed stream would only see the read
// fail, like an ordinary end of stream).
#ifndef HYPERCALL_DAEMON_SERVICE_MESSAGE_BUFFERS_H_
#define HYPERCALL_DAEMON_SERVICE_MESSAGE_BUFFERS_H_

#include <google/protobuf/message_lite.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/status/status.h"

namespace hypercall::service {

// Parses `buffer` into `message` (replacing its contents); InvalidArgument
// naming the message type when the bytes are not a valid message.
absl::Status ParseMessage(grpc::ByteBuffer& buffer, google::protobuf::MessageLite& message);

// Replaces `buffer` with the serialized `message`.
void SerializeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer& buffer);

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_MESSAGE_BUFFERS_H_
