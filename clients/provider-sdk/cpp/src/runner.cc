// The runner's reconnect loop (Run), one connection's life (Serve) and the
// hand-off of each call to the worker pool (Dispatch); VmDetached notices
// are passed on by the reading thread itself.
#include "hypercall/provider/runner.h"

#include <cstdio>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backoff.h"
#include "pending_call.h"
#include "provider_stream.h"
#include "wire/convert.h"
#include "wire/runtime_dir.h"
#include "work_queue.h"

namespace hypercall::provider {
namespace {

// The daemon said no to who we are: retrying soon cannot help.
bool IsRefusal(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kInvalidArgument:
      return true;
    default:
      return false;
  }
}

const char* SeverityName(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kInfo:
      return "info";
    case LogSeverity::kWarning:
      return "warning";
    default:
      return "error";
  }
}

}  // namespace

class Runner::Impl {
 public:
  Impl(Provider& provider, RunnerOptions options)
      : provider_(provider),
        options_(std::move(options)),
        target_(wire::GrpcUnixTarget(options_.runtime_dir, wire::kProviderSocketName)),
        backoff_(options_.initial_backoff, options_.max_backoff),
        workers_(options_.workers) {
    if (options_.name.empty()) options_.name = std::string(provider_.name());
    if (options_.software.empty()) options_.software = options_.name + "/sdk";
  }

  void Run() {
    while (true) {
      const Outcome outcome = Serve();
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      const std::chrono::milliseconds delay =
          outcome == Outcome::kHelloRefused ? backoff_.Max() : backoff_.Next();
      state_ = RunnerState::kBackingOff;
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::FromChrono(delay));
      if (stopping_) break;
    }
    absl::MutexLock lock(&mu_);
    state_ = RunnerState::kStopped;
  }

  void Stop() {
    std::shared_ptr<ProviderStream> stream;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stopping_ = true;
      stream = current_;
      if (stream == nullptr) return;
      if (state_ != RunnerState::kServing) {
        stream->Cancel();
        return;
      }
      auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
      mu_.AwaitWithTimeout(absl::Condition(&drained), absl::FromChrono(options_.drain_timeout));
    }
    stream->Close();
  }

  RunnerState state() const {
    absl::MutexLock lock(&mu_);
    return state_;
  }

 private:
  enum class Outcome { kLost, kHelloRefused, kClaimRefused, kStopped };

  // One connection, from hello until it ends.
  Outcome Serve() {
    auto stream = std::make_shared<ProviderStream>(target_);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return Outcome::kStopped;
      current_ = stream;
      state_ = RunnerState::kConnecting;
    }
    const Outcome outcome = ServeOn(stream);
    absl::MutexLock lock(&mu_);
    current_.reset();
    return stopping_ ? Outcome::kStopped : outcome;
  }

  Outcome ServeOn(const std::shared_ptr<ProviderStream>& shared) {
    ProviderStream& stream = *shared;
    const std::string& name = options_.name;
    if (absl::Status hello = stream.Hello(name, options_.software); !hello.ok()) {
      if (IsRefusal(hello)) {
        LogProblem(LogSeverity::kError,
                   absl::StrFormat("hypercalld refused provider \"%s\": %s (retrying every %d ms)",
                                   name, hello.message(), options_.max_backoff.count()));
        return Outcome::kHelloRefused;
      }
      LogProblem(LogSeverity::kWarning,
                 absl::StrFormat("cannot reach hypercalld at %s: %s (retrying)", target_,
                                 hello.message()));
      return Outcome::kLost;
    }
    const std::vector<RangeClaim> claims = provider_.Claims();
    for (const RangeClaim& claim : claims) {
      absl::StatusOr<v1::ClaimReply> reply = stream.Claim(claim);
      if (!reply.ok()) return ConnectionLost(stream);
      if (!reply->granted()) {
        LogProblem(
            LogSeverity::kError,
            absl::StrFormat("hypercalld refused the claim 0x%08x-0x%08x (reads 0x%x, "
                            "memory: %s) of provider \"%s\": %s (retrying)",
                            claim.range.first, claim.range.last, claim.args_read_mask,
                            smccc::DescribeMemoryOperands(claim.memory), name, reply->reason()));
        // All or nothing: the provider serves every range it claims or none,
        // so the rest are not asked for (and one problem is logged, once).
        stream.Cancel();
        stream.Finish().IgnoreError();
        return Outcome::kClaimRefused;
      }
    }
    {
      absl::MutexLock lock(&mu_);
      state_ = RunnerState::kServing;
      backoff_.Reset();
      last_problem_.clear();
    }
    Log(LogSeverity::kInfo, absl::StrFormat("serving %d range(s) as provider \"%s\" on %s",
                                            claims.size(), name, target_));
    v1::DaemonMessage message;
    while (stream.Next(message)) {
      if (message.has_call()) {
        Dispatch(shared, *message.mutable_call());
      } else {
        // Here, not on a worker: done before any later call is handed out,
        // so a new VM under the same name never has its state dropped.
        provider_.VmDetached(message.vm_detached().vm());
      }
    }
    return ConnectionLost(stream);
  }

  Outcome ConnectionLost(ProviderStream& stream) {
    const absl::Status status = stream.Finish();
    if (!Stopping()) {
      Log(LogSeverity::kWarning,
          absl::StrFormat("the connection to hypercalld ended (%s); reconnecting",
                          status.ok() ? "closed by the daemon" : status.ToString()));
    }
    return Outcome::kLost;
  }

  void Dispatch(const std::shared_ptr<ProviderStream>& stream, v1::ForwardedCall& forwarded) {
    const uint64_t call_id = forwarded.call().call_id();
    const uint64_t nanos = forwarded.deadline_nanos();
    const auto deadline = std::chrono::steady_clock::now() +
                          (nanos == 0 ? std::chrono::nanoseconds(std::chrono::hours(1))
                                      : std::chrono::nanoseconds(nanos));
    absl::StatusOr<smccc::Call> call = wire::FromProto(forwarded.call());
    {
      absl::MutexLock lock(&mu_);
      ++in_flight_;
    }
    auto* pending = new PendingCall(
        stream, call_id, std::move(*forwarded.mutable_call()->mutable_vm()),
        forwarded.call().vcpu(), forwarded.call().stolen_time_record(), deadline,
        call.value_or(smccc::Call{}), [this](uint64_t id, bool late) { CallDone(id, late); });
    if (!call.ok()) {
      Log(LogSeverity::kWarning, absl::StrFormat("malformed call %d from hypercalld: %s", call_id,
                                                 call.status().message()));
      pending->Complete(smccc::Result::Code(smccc::kNotSupported));
      return;
    }
    workers_.Push([this, pending] {
      if (pending->Expired()) {
        pending->Drop();
      } else {
        provider_.Handle(pending->context(), pending->call(), *pending);
      }
    });
  }

  void CallDone(uint64_t call_id, bool late) {
    if (late) {
      Log(LogSeverity::kWarning,
          absl::StrFormat("call %d was not answered within its deadline; the guest got "
                          "NOT_SUPPORTED",
                          call_id));
    }
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }

  bool Stopping() {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }

  // Logs a connection problem once until it changes or the provider serves.
  void LogProblem(LogSeverity severity, const std::string& message) {
    {
      absl::MutexLock lock(&mu_);
      if (message == last_problem_) return;
      last_problem_ = message;
    }
    Log(severity, message);
  }

  void Log(LogSeverity severity, const std::string& message) {
    if (options_.log) {
      options_.log(severity, message);
    } else {
      absl::FPrintF(stderr, "%s: %s: %s\n", options_.name, SeverityName(severity), message);
    }
  }

  Provider& provider_;
  RunnerOptions options_;
  const std::string target_;

  mutable absl::Mutex mu_;
  Backoff backoff_ ABSL_GUARDED_BY(mu_);
  RunnerState state_ ABSL_GUARDED_BY(mu_) = RunnerState::kConnecting;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<ProviderStream> current_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_problem_ ABSL_GUARDED_BY(mu_);

  // Last: its workers stop (running what is queued) before the rest goes.
  WorkQueue workers_;
};

Runner::Runner(Provider& provider, RunnerOptions options)
    : impl_(std::make_unique<Impl>(provider, std::move(options))) {}

Runner::~Runner() = default;

void Runner::Run() { impl_->Run(); }

void Runner::Stop() { impl_->Stop(); }

RunnerState Runner::state() const { return impl_->state(); }

}  // namespace hypercall::provider
