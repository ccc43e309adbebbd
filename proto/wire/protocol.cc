#include "wire/protocol.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace hypercall::wire {

std::string SoftwareName(std::string_view name) {
  return std::string(name) + "/" + HYPERCALL_VERSION;
}

v1::Hello MakeHello(std::string_view software) {
  v1::Hello hello;
  hello.set_protocol_version(kProtocolVersion);
  hello.set_software(std::string(software));
  return hello;
}

absl::Status CheckHello(const v1::Hello& hello, bool present) {
  if (!present) {
    return absl::FailedPreconditionError(
        absl::StrCat("missing hello: the first message must carry a Hello with protocol_version ",
                     kProtocolVersion));
  }
  if (hello.protocol_version() != kProtocolVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("unsupported protocol version ", hello.protocol_version(), " from '",
                     hello.software(), "': this daemon speaks version ", kProtocolVersion));
  }
  return absl::OkStatus();
}

v1::HelloReply MakeHelloReply(const v1::Hello& hello) {
  v1::HelloReply reply;
  reply.set_protocol_version(hello.protocol_version());
  reply.set_software(SoftwareName("hypercalld"));
  return reply;
}

}  // namespace hypercall::wire
