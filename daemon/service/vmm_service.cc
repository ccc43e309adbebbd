#include "service/vmm_service.h"

#include "service/session_stream.h"
#include "service/vcpu_stream.h"

namespace hypercall::service {

grpc::ServerBidiReactor<v1::SessionRequest, v1::SessionEvent>* VmmService::Session(
    grpc::CallbackServerContext* /*context*/) {
  streams_.Started();
  return new SessionStream(broker_, streams_);
}

grpc::ServerBidiReactor<v1::VcpuRequest, v1::VcpuReply>* VmmService::Vcpu(
    grpc::CallbackServerContext* /*context*/) {
  streams_.Started();
  return new VcpuStream(broker_, streams_);
}

}  // namespace hypercall::service
