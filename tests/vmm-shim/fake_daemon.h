// A stand-in for hypercalld's VmmService, in the test process, on its own
// temporary runtime directory: it attaches any VM with the plan the test
// gives and answers every call with what the test's handler returns. Tests
// use it to send the shim what the real daemon never does (results breaking
// the memory-operand rules) and to see exactly which calls the shim forwards.
#ifndef HYPERCALL_TESTS_VMM_SHIM_FAKE_DAEMON_H_
#define HYPERCALL_TESTS_VMM_SHIM_FAKE_DAEMON_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "hypercall/v1/vmm.grpc.pb.h"

namespace hypercall::shim::testing {

class FakeDaemon final : public v1::VmmService::Service {
 public:
  // The result for a call; its call_id is filled in. Runs on a gRPC thread.
  using Handler = std::function<v1::Result(const v1::Call&)>;

  // Serves `plan` to every attach and `handler`'s results to every call.
  static absl::StatusOr<std::unique_ptr<FakeDaemon>> Start(v1::ForwardingPlan plan,
                                                           Handler handler);
  // Stops serving (cancelling open streams) and removes the directory.
  ~FakeDaemon() override;

  // Where vmm.sock is: ShimOptions::runtime_dir.
  const std::string& runtime_dir() const { return runtime_dir_; }
  // Every call received so far, in order.
  std::vector<v1::Call> calls() const ABSL_LOCKS_EXCLUDED(mu_);
  // The VM of every attach so far, in order.
  std::vector<v1::VmInfo> attached_vms() const ABSL_LOCKS_EXCLUDED(mu_);

  grpc::Status Session(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SessionEvent, v1::SessionRequest>* stream) override;
  grpc::Status Vcpu(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::VcpuReply, v1::VcpuRequest>* stream) override;

 private:
  FakeDaemon(v1::ForwardingPlan plan, Handler handler)
      : plan_(std::move(plan)), handler_(std::move(handler)) {}

  const v1::ForwardingPlan plan_;
  const Handler handler_;
  std::string runtime_dir_;
  std::unique_ptr<grpc::Server> server_;
  mutable absl::Mutex mu_;
  std::vector<v1::Call> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::VmInfo> attached_vms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_FAKE_DAEMON_H_
