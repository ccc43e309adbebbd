// The wire protocol's version handshake and the limits every role shares.
#ifndef HYPERCALL_PROTO_WIRE_PROTOCOL_H_
#define HYPERCALL_PROTO_WIRE_PROTOCOL_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "hypercall/v1/common.pb.h"

namespace hypercall::wire {

// The version described by proto/hypercall/v1.
inline constexpr uint32_t kProtocolVersion = 1;

// The largest message either side accepts on any socket. A call or result
// is ~200 bytes; this leaves room for listings without letting a peer make
// the daemon buffer megabytes.
inline constexpr int kMaxMessageBytes = 64 * 1024;

// A Hello for this build, naming `software` ("hypercallctl/0.1.0").
v1::Hello MakeHello(std::string_view software);

// OK when `hello` is present and speaks kProtocolVersion; otherwise
// FailedPrecondition saying which version the peer sent and which the daemon
// speaks.
absl::Status CheckHello(const v1::Hello& hello, bool present);

// The daemon's reply to an accepted Hello.
v1::HelloReply MakeHelloReply(const v1::Hello& hello);

// "hypercalld/0.1.0" and friends: `name` + "/" + the project version.
std::string SoftwareName(std::string_view name);

}  // namespace hypercall::wire

#endif  // HYPERCALL_PROTO_WIRE_PROTOCOL_H_
