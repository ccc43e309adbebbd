// Where the daemon's sockets live. The daemon, the shim and hypercallctl all
// take --runtime-dir with the same default and derive the socket paths here.
#ifndef HYPERCALL_PROTO_WIRE_RUNTIME_DIR_H_
#define HYPERCALL_PROTO_WIRE_RUNTIME_DIR_H_

#include <string>
#include <string_view>

namespace hypercall::wire {

inline constexpr std::string_view kDefaultRuntimeDir = "/run/hypercalld";

// One socket per role, each with its own mode (see daemon/sockets).
inline constexpr std::string_view kVmmSocketName = "vmm.sock";
inline constexpr std::string_view kObserverSocketName = "observer.sock";
inline constexpr std::string_view kProviderSocketName = "provider.sock";

std::string SocketPath(std::string_view runtime_dir, std::string_view socket_name);

// "unix:<path>" for gRPC channel and listener addresses.
std::string GrpcUnixTarget(std::string_view runtime_dir, std::string_view socket_name);

}  // namespace hypercall::wire

#endif  // HYPERCALL_PROTO_WIRE_RUNTIME_DIR_H_
