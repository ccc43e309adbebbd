// A minimal VMM for integration tests, written straight on the generated
// stubs: attach a VM, open vCPU streams, make calls. Deliberately not the
// shim, so daemon tests do not depend on it.
#ifndef HYPERCALL_TESTS_SUPPORT_TEST_VM_H_
#define HYPERCALL_TESTS_SUPPORT_TEST_VM_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/v1/vmm.grpc.pb.h"

namespace hypercall::testing {

// A channel to a daemon socket ("unix:..."), with the project's limits.
std::shared_ptr<grpc::Channel> Connect(const std::string& target);

class TestVm {
 public:
  // Attaches `name` with `vcpus` vCPUs over `channel`.
  static absl::StatusOr<std::unique_ptr<TestVm>> Attach(std::shared_ptr<grpc::Channel> channel,
                                                        const std::string& name, int vcpus = 1);
  ~TestVm();

  // Opens vCPU `index` (once) and makes one call on it.
  absl::StatusOr<v1::Result> Call(uint32_t function_id, std::vector<uint64_t> args = {},
                                  int vcpu = 0);
  // The same with `call` as it is (memory buffers, conduit, ...), but for
  // its call_id, which this fills in. An error is how the daemon ended the
  // stream.
  absl::StatusOr<v1::Result> Call(v1::Call call, int vcpu = 0);

  const v1::Attached& attached() const { return attached_; }

 private:
  struct Vcpu {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReaderWriter<v1::VcpuRequest, v1::VcpuReply>> stream;
  };
  TestVm() = default;
  absl::Status OpenVcpu(int index);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::VmmService::Stub> stub_;
  grpc::ClientContext session_context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::SessionRequest, v1::SessionEvent>> session_;
  v1::Attached attached_;
  std::vector<Vcpu> vcpus_;
  uint64_t next_call_id_ = 1;
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_TEST_VM_H_
