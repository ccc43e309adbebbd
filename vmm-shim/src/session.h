// The shim's gRPC transport: the VM's session with hypercalld over vmm.sock,
// the first attach (which yields the plan), and a thread that watches the
// session stream and, when the daemon goes away, re-attaches with backoff.
// Its vCPU links (GrpcVcpuLink) read its live generation on every call,
// lock-free, and open their streams against the session it names.
#ifndef HYPERCALL_VMM_SHIM_SRC_SESSION_H_
#define HYPERCALL_VMM_SHIM_SRC_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "async_stream.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/options.h"
#include "hypercall/v1/vmm.grpc.pb.h"
#include "logger.h"
#include "smccc/function_range.h"
#include "transport.h"

namespace hypercall::shim::internal {

using SessionStream = AsyncStream<v1::SessionRequest, v1::SessionEvent>;

class Session final : public Transport {
 public:
  // Connects to options.runtime_dir/vmm.sock and attaches `vm` (see
  // Shim::Connect for the errors), then starts the watching thread.
  static absl::StatusOr<std::unique_ptr<Session>> Start(const VmDescription& vm,
                                                        const ShimOptions& options);
  // Stops the thread and closes the session stream.
  ~Session() override;

  const ForwardingPlan& plan() const override { return plan_; }
  bool attached() const override { return live_generation() != 0; }
  std::chrono::milliseconds call_deadline() const override {
    return std::chrono::milliseconds(call_wait_ms_.load(std::memory_order_relaxed));
  }
  bool Refused(uint32_t fid) const override;
  uint64_t attach_count() const override;
  std::unique_ptr<VcpuLink> OpenVcpu(uint32_t index) override;

  // For its vCPU links (GrpcVcpuLink).
  v1::VmmService::Stub& stub() { return *stub_; }
  const ShimOptions& options() const { return options_; }

  // Non-zero while attached: changes with every (re-)attach. Lock-free.
  uint64_t live_generation() const { return live_generation_.load(std::memory_order_acquire); }
  // The session id of `generation`, or nullopt when that attach is gone.
  std::optional<std::string> SessionId(uint64_t generation) const;
  // A vCPU's call found the daemon unreachable: check the session now
  // rather than at the next periodic check. Thread-safe, cheap.
  void ReportTrouble() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Session(const ShimOptions& options, std::shared_ptr<grpc::Channel> channel);

  // Opens a new session stream and attaches; on success the stream becomes
  // stream_ and the Attached message is returned.
  absl::StatusOr<v1::Attached> Attach(Deadline deadline) ABSL_LOCKS_EXCLUDED(mu_);
  // Records a successful attach as the live one: its session id, the call
  // wait it implies and what of the plan it refused (each logged once).
  void Publish(const v1::Attached& attached) ABSL_LOCKS_EXCLUDED(mu_);
  // Thread body: watch, then re-attach, until stopped.
  void Run();
  // Returns once the current session stream has ended, with why. It looks
  // every options_.liveness_check_interval, or at once after
  // ReportTrouble(), and never waits inside gRPC in between: a thread
  // blocked on a completion queue becomes gRPC's poller for every stream of
  // the channel and would hand each vCPU its replies with a thread switch.
  absl::Status Watch();
  // Re-attaches with backoff; false when stopped first.
  bool Reattach();

  const ShimOptions options_;
  const Logger log_;
  const std::string target_;
  std::unique_ptr<v1::VmmService::Stub> stub_;
  // The first attach's; a re-attach sends it with held_plan set.
  v1::SessionRequest attach_request_;
  ForwardingPlan plan_;
  std::atomic<uint64_t> live_generation_{0};
  std::atomic<int64_t> call_wait_ms_;
  // The routing-ID ranges of the plan the live attach refused; never null.
  std::atomic<std::shared_ptr<const std::vector<smccc::FunctionRange>>> refused_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool trouble_ ABSL_GUARDED_BY(mu_) = false;
  // Replaced only by the session thread (and Start, before it runs), so that
  // thread may use it without the lock; others only Cancel() it, locked.
  std::unique_ptr<SessionStream> stream_ ABSL_GUARDED_BY(mu_);
  std::string session_id_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_SESSION_H_
