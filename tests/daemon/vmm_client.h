// Test helpers that speak the VMM protocol to a real hypercalld with the
// generated stubs: attach a VM, open vCPU streams, make calls.
#ifndef HYPERCALL_TESTS_DAEMON_VMM_CLIENT_H_
#define HYPERCALL_TESTS_DAEMON_VMM_CLIENT_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercall/v1/vmm.grpc.pb.h"

namespace hypercall::testing {

// A channel to `target` with the daemon's message-size limit.
std::shared_ptr<grpc::Channel> Connect(const std::string& target);

// A VmInfo with `vcpus` vCPUs and one 1 GiB RAM region at 0x40000000.
v1::VmInfo TestVm(const std::string& name, uint32_t vcpus = 2);

// An attached VM: its session stream stays open while this object lives.
class AttachedVm {
 public:
  // Attaches `vm`; fails with the status the daemon finished the stream
  // with when it refuses.
  static absl::StatusOr<std::unique_ptr<AttachedVm>> Attach(v1::VmmService::Stub& stub,
                                                            const v1::VmInfo& vm,
                                                            uint32_t protocol_version = 1);
  ~AttachedVm();

  const v1::Attached& attached() const { return attached_; }
  const std::string& session_id() const { return attached_.session_id(); }
  // Half-closes the session stream and returns how the daemon finished it.
  grpc::Status Detach();

 private:
  AttachedVm() = default;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::SessionRequest, v1::SessionEvent>> stream_;
  v1::Attached attached_;
  bool detached_ = false;
};

// One open vCPU stream.
class VcpuClient {
 public:
  // Opens vCPU `index` of `session_id`; fails with the daemon's status.
  static absl::StatusOr<std::unique_ptr<VcpuClient>> Open(v1::VmmService::Stub& stub,
                                                          const std::string& session_id,
                                                          uint32_t index,
                                                          uint32_t protocol_version = 1);
  ~VcpuClient();

  // Makes one HVC call with `args` (x1..) and returns its result.
  absl::StatusOr<v1::Result> Call(uint32_t function_id, const std::vector<uint64_t>& args = {});
  // Sends a raw request without reading anything back.
  bool Send(const v1::VcpuRequest& request);
  // Reads the next reply; false when the stream has ended.
  bool Read(v1::VcpuReply& reply);
  // Half-closes and returns how the daemon finished the stream.
  grpc::Status Finish();
  // Waits for the daemon to end the stream and returns how it did.
  grpc::Status AwaitEnd();
  // Cancels the stream from the client side.
  void Cancel() { context_.TryCancel(); }

 private:
  VcpuClient() = default;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::VcpuRequest, v1::VcpuReply>> stream_;
  uint64_t next_call_id_ = 1;
  bool finished_ = false;
};

// What a raw exchange got back.
struct RawReply {
  grpc::Status status;
  // Each reply message as its serialized bytes, in order.
  std::vector<std::string> messages;
};

// Calls `method` ("/pkg.Service/Method") on `target` with the generic
// (schema-less) stub a standard gRPC tool would use: writes each of
// `requests` as raw bytes, half-closes, and reads replies until the end.
RawReply RawStreamCall(const std::string& target, const std::string& method,
                       const std::vector<std::string>& requests);

// The register x`i` of `result` (zero past the end of the list).
uint64_t Reg(const v1::Result& result, int i);

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_DAEMON_VMM_CLIENT_H_
