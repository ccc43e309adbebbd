#include "daemon/vmm_client.h"

#include "absl/strings/str_format.h"
#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

v1::Hello TestHello(uint32_t protocol_version) {
  v1::Hello hello = wire::MakeHello("daemon-test/1");
  hello.set_protocol_version(protocol_version);
  return hello;
}

absl::Status ToAbsl(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  args.SetMaxSendMessageSize(wire::kMaxMessageBytes);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

v1::VmInfo TestVm(const std::string& name, uint32_t vcpus) {
  v1::VmInfo vm;
  vm.set_name(name);
  vm.set_uuid(std::string(16, '\x42'));
  vm.set_vcpu_count(vcpus);
  v1::RamRegion* ram = vm.add_ram();
  ram->set_guest_phys_addr(0x40000000);
  ram->set_size(1ull << 30);
  return vm;
}

absl::StatusOr<std::unique_ptr<AttachedVm>> AttachedVm::Attach(v1::VmmService::Stub& stub,
                                                               const v1::VmInfo& vm,
                                                               uint32_t protocol_version) {
  std::unique_ptr<AttachedVm> attached(new AttachedVm());
  attached->stream_ = stub.Session(&attached->context_);
  v1::SessionRequest request;
  *request.mutable_attach()->mutable_hello() = TestHello(protocol_version);
  *request.mutable_attach()->mutable_vm() = vm;
  v1::SessionEvent event;
  if (!attached->stream_->Write(request) || !attached->stream_->Read(&event)) {
    attached->stream_->WritesDone();
    attached->detached_ = true;
    grpc::Status status = attached->stream_->Finish();
    return status.ok() ? absl::InternalError("session stream ended without an answer")
                       : ToAbsl(status);
  }
  attached->attached_ = event.attached();
  return attached;
}

AttachedVm::~AttachedVm() {
  if (!detached_) Detach();
}

grpc::Status AttachedVm::Detach() {
  detached_ = true;
  stream_->WritesDone();
  v1::SessionEvent event;
  while (stream_->Read(&event)) {
  }
  return stream_->Finish();
}

absl::StatusOr<std::unique_ptr<VcpuClient>> VcpuClient::Open(v1::VmmService::Stub& stub,
                                                             const std::string& session_id,
                                                             uint32_t index,
                                                             uint32_t protocol_version) {
  std::unique_ptr<VcpuClient> vcpu(new VcpuClient());
  vcpu->stream_ = stub.Vcpu(&vcpu->context_);
  v1::VcpuRequest request;
  *request.mutable_open()->mutable_hello() = TestHello(protocol_version);
  request.mutable_open()->set_session_id(session_id);
  request.mutable_open()->set_vcpu_index(index);
  v1::VcpuReply reply;
  if (!vcpu->stream_->Write(request) || !vcpu->stream_->Read(&reply)) {
    grpc::Status status = vcpu->Finish();
    return status.ok() ? absl::InternalError("vCPU stream ended without an answer")
                       : ToAbsl(status);
  }
  if (!reply.has_opened()) return absl::InternalError("first vCPU reply is not opened");
  return vcpu;
}

VcpuClient::~VcpuClient() {
  if (!finished_) {
    context_.TryCancel();
    stream_->Finish();
  }
}

absl::StatusOr<v1::Result> VcpuClient::Call(uint32_t function_id,
                                            const std::vector<uint64_t>& args) {
  v1::VcpuRequest request;
  v1::Call* call = request.mutable_call();
  const uint64_t call_id = next_call_id_++;
  call->set_call_id(call_id);
  call->set_function_id(function_id);
  call->set_conduit(v1::CONDUIT_HVC);
  uint32_t mask = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    call->add_args(args[i]);
    mask |= 1u << (i + 1);
  }
  call->set_args_read_mask(mask);
  v1::VcpuReply reply;
  if (!stream_->Write(request) || !stream_->Read(&reply)) {
    grpc::Status status = Finish();
    return status.ok() ? absl::InternalError("vCPU stream ended") : ToAbsl(status);
  }
  if (!reply.has_result() || reply.result().call_id() != call_id) {
    return absl::InternalError(absl::StrFormat("unexpected reply to call %d", call_id));
  }
  return reply.result();
}

bool VcpuClient::Send(const v1::VcpuRequest& request) { return stream_->Write(request); }

bool VcpuClient::Read(v1::VcpuReply& reply) { return stream_->Read(&reply); }

grpc::Status VcpuClient::Finish() {
  if (finished_) return grpc::Status(grpc::StatusCode::INTERNAL, "finished twice");
  finished_ = true;
  stream_->WritesDone();
  v1::VcpuReply reply;
  while (stream_->Read(&reply)) {
  }
  return stream_->Finish();
}

grpc::Status VcpuClient::AwaitEnd() {
  finished_ = true;
  v1::VcpuReply reply;
  while (stream_->Read(&reply)) {
  }
  return stream_->Finish();
}

RawReply RawStreamCall(const std::string& target, const std::string& method,
                       const std::vector<std::string>& requests) {
  RawReply reply;
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context, method, &cq);
  // One operation at a time: each waits for its own completion.
  auto completed = [&cq] {
    void* tag = nullptr;
    bool ok = false;
    return cq.Next(&tag, &ok) && ok;
  };
  call->StartCall(nullptr);
  bool open = completed();
  for (const std::string& request : requests) {
    if (!open) break;
    grpc::Slice slice(request);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, nullptr);
    open = completed();
  }
  if (open) {
    call->WritesDone(nullptr);
    completed();
  }
  while (true) {
    grpc::ByteBuffer buffer;
    call->Read(&buffer, nullptr);
    if (!completed()) break;
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (buffer.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    reply.messages.push_back(std::move(bytes));
  }
  call->Finish(&reply.status, nullptr);
  completed();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return reply;
}

uint64_t Reg(const v1::Result& result, int i) {
  return i < result.regs_size() ? result.regs(i) : 0;
}

}  // namespace hypercall::testing
