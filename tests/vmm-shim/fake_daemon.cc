#include "fake_daemon.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::shim::testing {

absl::StatusOr<std::unique_ptr<FakeDaemon>> FakeDaemon::Start(v1::ForwardingPlan plan,
                                                              Handler handler) {
  std::unique_ptr<FakeDaemon> daemon(new FakeDaemon(std::move(plan), std::move(handler)));
  char dir[] = "/tmp/hypercall-fake-daemon-XXXXXX";
  if (mkdtemp(dir) == nullptr) return absl::InternalError("mkdtemp failed");
  daemon->runtime_dir_ = dir;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(wire::GrpcUnixTarget(daemon->runtime_dir_, wire::kVmmSocketName),
                           grpc::InsecureServerCredentials());
  builder.RegisterService(daemon.get());
  daemon->server_ = builder.BuildAndStart();
  if (daemon->server_ == nullptr) {
    return absl::InternalError("the fake daemon cannot listen in " + daemon->runtime_dir_);
  }
  return daemon;
}

FakeDaemon::~FakeDaemon() {
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  std::error_code ignored;
  if (!runtime_dir_.empty()) std::filesystem::remove_all(runtime_dir_, ignored);
}

std::vector<v1::Call> FakeDaemon::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<v1::VmInfo> FakeDaemon::attached_vms() const {
  absl::MutexLock lock(&mu_);
  return attached_vms_;
}

grpc::Status FakeDaemon::Session(
    grpc::ServerContext*, grpc::ServerReaderWriter<v1::SessionEvent, v1::SessionRequest>* stream) {
  v1::SessionRequest request;
  if (!stream->Read(&request) || !request.has_attach()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "attach first");
  }
  {
    absl::MutexLock lock(&mu_);
    attached_vms_.push_back(request.attach().vm());
  }
  v1::SessionEvent event;
  v1::Attached* attached = event.mutable_attached();
  *attached->mutable_hello() = wire::MakeHelloReply(request.attach().hello());
  attached->set_session_id("fake-session");
  *attached->mutable_plan() = plan_;
  stream->Write(event);
  while (stream->Read(&request)) {
  }
  return grpc::Status::OK;
}

grpc::Status FakeDaemon::Vcpu(grpc::ServerContext*,
                              grpc::ServerReaderWriter<v1::VcpuReply, v1::VcpuRequest>* stream) {
  v1::VcpuRequest request;
  if (!stream->Read(&request) || !request.has_open()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "open first");
  }
  v1::VcpuReply reply;
  *reply.mutable_opened()->mutable_hello() = wire::MakeHelloReply(request.open().hello());
  stream->Write(reply);
  while (stream->Read(&request)) {
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(request.call());
    }
    reply.Clear();
    *reply.mutable_result() = handler_(request.call());
    reply.mutable_result()->set_call_id(request.call().call_id());
    stream->Write(reply);
  }
  return grpc::Status::OK;
}

}  // namespace hypercall::shim::testing
