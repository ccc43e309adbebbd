// The VMM role's gRPC service: a thin adapter that gives each Session and
// Vcpu stream its own reactor (callback API: the vCPU hot path never parks
// a thread per stream).
#ifndef HYPERCALL_DAEMON_SERVICE_VMM_SERVICE_H_
#define HYPERCALL_DAEMON_SERVICE_VMM_SERVICE_H_

#include "absl/time/time.h"
#include "core/broker.h"
#include "hypercall/v1/vmm.grpc.pb.h"
#include "service/open_deadline.h"
#include "service/peer_directory.h"
#include "service/stream_counter.h"

namespace hypercall::service {

// Raw byte-buffer methods: the streams parse each message themselves (see
// message_buffers.h).
class VmmService final : public v1::VmmService::WithRawCallbackMethod_Session<
                             v1::VmmService::WithRawCallbackMethod_Vcpu<v1::VmmService::Service>> {
 public:
  // `broker` and `peers` must outlive the service and every stream it
  // starts. At most `max_streams` Session and Vcpu streams run at once; more
  // are refused with RESOURCE_EXHAUSTED. A stream without its first message
  // (attach, open) within `open_timeout` ends.
  VmmService(core::Broker& broker, const PeerDirectory& peers, int max_streams,
             const OpenTimeout& open_timeout)
      : broker_(broker), peers_(peers), streams_(max_streams), open_timeout_(open_timeout) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Session(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Vcpu(
      grpc::CallbackServerContext* context) override;

  // Waits until every stream this service started has ended, or until
  // `deadline`; true when none is left.
  bool AwaitNoStreams(absl::Time deadline, const base::Clock& clock = base::Clock::Real()) {
    return streams_.AwaitNone(deadline, clock);
  }

 private:
  core::Broker& broker_;
  const PeerDirectory& peers_;
  StreamCounter streams_;
  const OpenTimeout open_timeout_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_VMM_SERVICE_H_
