// The call path of one vCPU: routes each call with its session's range
// table, applies SMC32/HVC32 w-register semantics to arguments and result,
// checks its guest memory buffers against the range's operands, hands it to
// the owning provider (or answers NOT_SUPPORTED), checks the memory the
// result writes back (a result breaking the rules becomes NOT_SUPPORTED),
// then counts, traces and delivers the result. One call at a time, by
// contract of the vCPU stream; no lock shared with other vCPUs on the way,
// and no allocation for calls that pass no memory.
#ifndef HYPERCALL_DAEMON_CORE_VCPU_CHANNEL_H_
#define HYPERCALL_DAEMON_CORE_VCPU_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "core/broker.h"
#include "core/session.h"
#include "hypercall/provider/provider.h"
#include "smccc/call.h"

namespace hypercall::core {

// Where a VcpuChannel delivers results.
class ResultSink {
 public:
  // The answer to the call submitted with `call_id`. May run on the thread
  // that called Submit (built-in providers) or on another one.
  virtual void OnResult(uint64_t call_id, const smccc::Result& result) = 0;

 protected:
  ~ResultSink() = default;
};

class VcpuChannel final : private provider::Completion {
 public:
  // `broker`, `sink` and the session must outlive the channel.
  VcpuChannel(Broker& broker, std::shared_ptr<Session> session, uint32_t vcpu, ResultSink& sink);

  // Brokers `call`; its result reaches the sink exactly once. Fails, with
  // nothing brokered and no result, when the call's memory buffers are not
  // exactly those its range's operands ask for (one per operand that
  // applies, in order, with the planned address, length and direction, and
  // the IN/INOUT bytes): InvalidArgument saying what to fix, for the VMM.
  // REQUIRES: the previous call's result has reached the sink.
  absl::Status Submit(uint64_t call_id, const smccc::Call& call);

  Session& session() const { return *session_; }
  uint32_t vcpu() const { return vcpu_; }

 private:
  void Complete(const smccc::Result& result) override;

  Broker& broker_;
  const std::shared_ptr<Session> session_;
  const uint32_t vcpu_;
  ResultSink& sink_;

  // The call in flight.
  uint64_t call_id_ = 0;
  smccc::Call call_;
  const Route* route_ = nullptr;
  std::chrono::steady_clock::time_point received_;
  int64_t received_unix_nanos_ = 0;
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_VCPU_CHANNEL_H_
