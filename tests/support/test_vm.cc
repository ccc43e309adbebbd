#include "support/test_vm.h"

#include "wire/protocol.h"

namespace hypercall::testing {
namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

absl::StatusOr<std::unique_ptr<TestVm>> TestVm::Attach(std::shared_ptr<grpc::Channel> channel,
                                                       const std::string& name, int vcpus) {
  std::unique_ptr<TestVm> vm(new TestVm());
  vm->channel_ = std::move(channel);
  vm->stub_ = v1::VmmService::NewStub(vm->channel_);
  vm->session_ = vm->stub_->Session(&vm->session_context_);
  v1::SessionRequest request;
  *request.mutable_attach()->mutable_hello() = wire::MakeHello("integration-test/1");
  v1::VmInfo* info = request.mutable_attach()->mutable_vm();
  info->set_name(name);
  info->set_vcpu_count(vcpus);
  v1::RamRegion* ram = info->add_ram();
  ram->set_guest_phys_addr(0x40000000);
  ram->set_size(64 << 20);
  v1::SessionEvent event;
  if (!vm->session_->Write(request) || !vm->session_->Read(&event)) {
    vm->session_->WritesDone();
    const absl::Status refused = FromGrpc(vm->session_->Finish());
    vm->session_.reset();  // Finished: the destructor must not finish it again.
    return refused;
  }
  vm->attached_ = event.attached();
  vm->vcpus_.resize(vcpus);
  return vm;
}

TestVm::~TestVm() {
  for (Vcpu& vcpu : vcpus_) {
    if (!vcpu.stream) continue;
    vcpu.stream->WritesDone();
    vcpu.stream->Finish();
  }
  if (session_) {
    session_->WritesDone();
    session_context_.TryCancel();
    session_->Finish();
  }
}

absl::Status TestVm::OpenVcpu(int index) {
  Vcpu& vcpu = vcpus_.at(index);
  vcpu.context = std::make_unique<grpc::ClientContext>();
  vcpu.stream = stub_->Vcpu(vcpu.context.get());
  v1::VcpuRequest open;
  *open.mutable_open()->mutable_hello() = wire::MakeHello("integration-test/1");
  open.mutable_open()->set_session_id(attached_.session_id());
  open.mutable_open()->set_vcpu_index(index);
  v1::VcpuReply reply;
  if (!vcpu.stream->Write(open) || !vcpu.stream->Read(&reply) || !reply.has_opened()) {
    vcpu.stream->WritesDone();
    absl::Status s = FromGrpc(vcpu.stream->Finish());
    vcpu.stream.reset();
    return s.ok() ? absl::InternalError("vCPU stream not opened") : s;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Result> TestVm::Call(uint32_t function_id, std::vector<uint64_t> args,
                                        int vcpu_index) {
  v1::Call call;
  call.set_function_id(function_id);
  call.set_conduit(v1::CONDUIT_HVC);
  uint32_t mask = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    call.add_args(args[i]);
    mask |= 1u << (i + 1);
  }
  call.set_args_read_mask(mask);
  return Call(std::move(call), vcpu_index);
}

absl::StatusOr<v1::Result> TestVm::Call(v1::Call call, int vcpu_index) {
  Vcpu& vcpu = vcpus_.at(vcpu_index);
  if (!vcpu.stream) {
    if (absl::Status s = OpenVcpu(vcpu_index); !s.ok()) return s;
  }
  v1::VcpuRequest request;
  *request.mutable_call() = std::move(call);
  request.mutable_call()->set_call_id(next_call_id_++);
  v1::VcpuReply reply;
  if (!vcpu.stream->Write(request) || !vcpu.stream->Read(&reply)) {
    vcpu.stream->WritesDone();
    absl::Status s = FromGrpc(vcpu.stream->Finish());
    vcpu.stream.reset();
    return s.ok() ? absl::InternalError("vCPU stream ended") : s;
  }
  return reply.result();
}

}  // namespace hypercall::testing
