// One vCPU's gRPC stream to hypercalld (VmmService.Vcpu): opened lazily on
// the first call, reopened after a break or a re-attach, one call in flight,
// no allocation per call once warm.
#ifndef HYPERCALL_VMM_SHIM_SRC_GRPC_VCPU_LINK_H_
#define HYPERCALL_VMM_SHIM_SRC_GRPC_VCPU_LINK_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "async_stream.h"
#include "hypercall/v1/vmm.pb.h"
#include "session.h"
#include "smccc/call.h"
#include "transport.h"

namespace hypercall::shim::internal {

using VcpuStream = AsyncStream<v1::VcpuRequest, v1::VcpuReply>;

class GrpcVcpuLink final : public VcpuLink {
 public:
  // `session` must outlive the link.
  GrpcVcpuLink(uint32_t index, Session& session);

  absl::StatusOr<smccc::Result> RoundTrip(const smccc::Call& call, Deadline deadline) override;
  void Close(Deadline grace) override;

 private:
  // RoundTrip on the stream of attach `generation`.
  absl::StatusOr<smccc::Result> Exchange(uint64_t generation, const smccc::Call& call,
                                         Deadline deadline);
  // Opens the vCPU stream for the attach `generation`.
  absl::Status Open(uint64_t generation, Deadline deadline);

  const uint32_t index_;
  Session& session_;
  std::unique_ptr<VcpuStream> stream_;
  // The attach generation stream_ was opened for.
  uint64_t stream_generation_ = 0;
  uint64_t next_call_id_ = 1;
  // Reused for every call.
  v1::VcpuRequest request_;
  v1::VcpuReply reply_;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_GRPC_VCPU_LINK_H_
