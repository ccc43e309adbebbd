#include "service/message_buffers.h"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <string>

namespace hypercall::service {

absl::Status ParseMessage(grpc::ByteBuffer& buffer, google::protobuf::MessageLite& message) {
  grpc::ProtoBufferReader reader(&buffer);
  if (!reader.status().ok() || !message.ParseFromZeroCopyStream(&reader)) {
    return absl::InvalidArgumentError("malformed " + message.GetTypeName() +
                                      ": the bytes are not a valid protobuf message");
  }
  return absl::OkStatus();
}

void SerializeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer& buffer) {
  buffer.Clear();  // The serializer writes only into an empty buffer.
  bool own_buffer = false;
  // Fails only for messages over 2 GiB, far beyond anything built here.
  (void)grpc::SerializationTraits<google::protobuf::MessageLite>::Serialize(message, &buffer,
                                                                            &own_buffer);
}

}  // namespace hypercall::service
