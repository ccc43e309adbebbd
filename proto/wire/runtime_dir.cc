#include "wire/runtime_dir.h"

namespace hypercall::wire {

std::string SocketPath(std::string_view runtime_dir, std::string_view socket_name) {
  if (!runtime_dir.empty() && runtime_dir.back() == '/') runtime_dir.remove_suffix(1);
  std::string path(runtime_dir);
  path += '/';
  path += socket_name;
  return path;
}

std::string GrpcUnixTarget(std::string_view runtime_dir, std::string_view socket_name) {
  return "unix:" + SocketPath(runtime_dir, socket_name);
}

}  // namespace hypercall::wire
