#include "session.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "grpc_vcpu_link.h"
#include "smccc/function_id.h"
#include "wire/protocol.h"
#include "wire/runtime_dir.h"

namespace hypercall::shim::internal {
namespace {

int Millis(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const ShimOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(wire::kMaxMessageBytes);
  args.SetMaxSendMessageSize(wire::kMaxMessageBytes);
  // gRPC's own reconnect backoff (default 1 s growing to 120 s) would keep
  // a restarted daemon unreached for minutes; follow the shim's options.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, Millis(options.reconnect_backoff_initial));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, Millis(options.reconnect_backoff_initial));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, Millis(options.reconnect_backoff_max));
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

v1::SessionRequest MakeAttachRequest(const VmDescription& vm, const std::string& software) {
  v1::SessionRequest request;
  v1::AttachRequest* attach = request.mutable_attach();
  *attach->mutable_hello() = wire::MakeHello(software);
  v1::VmInfo* info = attach->mutable_vm();
  info->set_name(vm.name);
  if (vm.uuid) info->set_uuid(std::string(vm.uuid->begin(), vm.uuid->end()));
  info->set_vcpu_count(vm.vcpu_count);
  for (const RamRegion& region : vm.ram) {
    v1::RamRegion* r = info->add_ram();
    r->set_guest_phys_addr(region.guest_phys_addr);
    r->set_size(region.size);
  }
  if (vm.stolen_time.size != 0) {
    info->mutable_stolen_time()->set_guest_phys_addr(vm.stolen_time.guest_phys_addr);
    info->mutable_stolen_time()->set_size(vm.stolen_time.size);
  }
  return request;
}

// The records the daemon planned: none, or one per vCPU inside the VM's
// stolen-time region (KVM writes there; a record anywhere else would let it
// overwrite guest RAM).
absl::Status CheckStolenTimeRecords(const ForwardingPlan& plan, const VmDescription& vm) {
  const std::vector<uint64_t>& records = plan.stolen_time_records();
  if (records.empty()) return absl::OkStatus();
  if (records.size() != vm.vcpu_count) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "it has %u stolen-time records for a VM of %u vCPUs", records.size(), vm.vcpu_count));
  }
  const StolenTimeRegion& region = vm.stolen_time;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i] < region.guest_phys_addr || records[i] - region.guest_phys_addr > region.size ||
        region.size - (records[i] - region.guest_phys_addr) < kStolenTimeRecordSize) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "the stolen-time record of vCPU %u, 0x%x, is outside the VM's stolen-time region "
          "0x%x+0x%x",
          i, records[i], region.guest_phys_addr, region.size));
    }
  }
  return absl::OkStatus();
}

bool NoDaemon(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
}

}  // namespace

Session::Session(const ShimOptions& options, std::shared_ptr<grpc::Channel> channel)
    : options_(options),
      log_(options.log),
      target_(wire::GrpcUnixTarget(options.runtime_dir, wire::kVmmSocketName)),
      stub_(v1::VmmService::NewStub(std::move(channel))),
      call_wait_ms_(options.call_deadline.count()),
      refused_(std::make_shared<const std::vector<smccc::FunctionRange>>()) {}

absl::StatusOr<std::unique_ptr<Session>> Session::Start(const VmDescription& vm,
                                                        const ShimOptions& options) {
  const std::string target = wire::GrpcUnixTarget(options.runtime_dir, wire::kVmmSocketName);
  std::unique_ptr<Session> session(new Session(options, MakeChannel(target, options)));
  session->attach_request_ = MakeAttachRequest(vm, options.software);

  absl::StatusOr<v1::Attached> attached = session->Attach(Clock::now() + options.attach_timeout);
  if (!attached.ok()) {
    const absl::Status& s = attached.status();
    if (NoDaemon(s)) {
      return absl::Status(s.code(), absl::StrFormat("no hypercalld answered at %s within %d ms "
                                                    "(is it running with --runtime-dir %s?): %s",
                                                    target, Millis(options.attach_timeout),
                                                    options.runtime_dir, s.message()));
    }
    return absl::Status(s.code(), absl::StrFormat("hypercalld refused to attach VM '%s': %s",
                                                  vm.name, s.message()));
  }
  absl::StatusOr<ForwardingPlan> plan = ForwardingPlan::FromProto(attached->plan());
  absl::Status plan_ok = plan.ok() ? CheckStolenTimeRecords(*plan, vm) : plan.status();
  if (!plan_ok.ok()) {
    return absl::InvalidArgumentError("hypercalld sent a malformed forwarding plan: " +
                                      std::string(plan_ok.message()));
  }
  session->plan_ = *std::move(plan);
  // KVM's filter will hold this plan for the VM's life: every re-attach
  // asks to be served within it.
  *session->attach_request_.mutable_attach()->mutable_held_plan() = attached->plan();
  session->Publish(*attached);
  session->log_(
      LogSeverity::kInfo,
      absl::StrFormat("VM '%s' attached to hypercalld at %s as session %s; plan: %s", vm.name,
                      target, attached->session_id(), session->plan_.Describe()));
  session->thread_ = std::thread(&Session::Run, session.get());
  return session;
}

Session::~Session() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    // Only a re-attach waits inside gRPC; a live session is closed politely
    // when stream_ goes.
    if (stream_ && live_generation() == 0) stream_->Cancel();
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> Session::SessionId(uint64_t generation) const {
  absl::MutexLock lock(&mu_);
  if (generation != generation_ || live_generation() != generation) return std::nullopt;
  return session_id_;
}

uint64_t Session::attach_count() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

std::unique_ptr<VcpuLink> Session::OpenVcpu(uint32_t index) {
  return std::make_unique<GrpcVcpuLink>(index, *this);
}

absl::StatusOr<v1::Attached> Session::Attach(Deadline deadline) {
  auto fresh = std::make_unique<SessionStream>(
      [this](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub_->PrepareAsyncSession(context, cq);
      },
      /*wait_for_ready=*/true);
  SessionStream* stream = fresh.get();
  std::unique_ptr<SessionStream> previous;
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return absl::CancelledError("the shim is shutting down");
    previous = std::exchange(stream_, std::move(fresh));
  }
  previous.reset();  // Already ended: closing it does not wait.

  if (absl::Status s = stream->Start(deadline); !s.ok()) return s;
  v1::SessionEvent event;
  if (absl::Status s = stream->Exchange(attach_request_, &event, deadline); !s.ok()) return s;
  if (!event.has_attached()) {
    return absl::InternalError("hypercalld's first session event is not 'attached'");
  }
  return std::move(*event.mutable_attached());
}

bool Session::Refused(uint32_t fid) const {
  const std::shared_ptr<const std::vector<smccc::FunctionRange>> refused =
      refused_.load(std::memory_order_acquire);
  if (refused->empty()) return false;
  const uint32_t id = smccc::RoutingId(fid);
  return std::any_of(refused->begin(), refused->end(),
                     [id](const smccc::FunctionRange& range) { return range.Contains(id); });
}

void Session::Publish(const v1::Attached& attached) {
  auto refused = std::make_shared<std::vector<smccc::FunctionRange>>();
  for (const v1::RefusedRange& range : attached.refused()) {
    if (range.count() == 0) continue;
    // Clamped: a range past the last ID refuses up to it.
    const uint64_t last =
        std::min<uint64_t>(uint64_t{range.first_function_id()} + range.count() - 1, UINT32_MAX);
    refused->push_back({range.first_function_id(), static_cast<uint32_t>(last)});
    log_(LogSeverity::kWarning,
         absl::StrFormat(
             "hypercalld does not serve range %s of this VM's plan (%s); the shim answers "
             "calls there NOT_SUPPORTED itself",
             smccc::DescribeRange(refused->back()), range.reason()));
  }
  call_wait_ms_.store(
      CallWait(options_.call_deadline, std::chrono::milliseconds(attached.call_deadline_ms()))
          .count(),
      std::memory_order_relaxed);
  refused_.store(std::move(refused), std::memory_order_release);
  absl::MutexLock lock(&mu_);
  session_id_ = attached.session_id();
  ++generation_;
  live_generation_.store(generation_, std::memory_order_release);
}

void Session::Run() {
  while (true) {
    const absl::Status why = Watch();
    live_generation_.store(0, std::memory_order_release);
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    log_(LogSeverity::kWarning,
         absl::IsAborted(why)
             ? absl::StrFormat("hypercalld ended this VM's session (%s); re-attaching with the "
                               "plan KVM holds",
                               why.message())
             : absl::StrFormat(
                   "lost hypercalld at %s (%s); calls answer NOT_SUPPORTED until it is back",
                   target_, why.ToString()));
    if (!Reattach()) return;
  }
}

absl::Status Session::Watch() {
  SessionStream* stream;
  {
    absl::MutexLock lock(&mu_);
    stream = stream_.get();
  }
  v1::SessionEvent event;
  stream->StartRead(&event);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || trouble_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken),
                           absl::FromChrono(options_.liveness_check_interval));
      if (stop_) return absl::CancelledError("the shim is shutting down");
      trouble_ = false;
    }
    // Only looks: zero deadline. Protocol v1 sends nothing after `attached`;
    // what a later version sends, this one ignores.
    absl::StatusOr<bool> read = stream->PollRead(Clock::now());
    if (!read.ok()) return read.status();
    if (*read) stream->StartRead(&event);
  }
}

void Session::ReportTrouble() {
  absl::MutexLock lock(&mu_);
  trouble_ = true;
}

bool Session::Reattach() {
  std::chrono::milliseconds backoff = options_.reconnect_backoff_initial;
  for (int attempt = 1;; ++attempt) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::FromChrono(backoff));
      if (stop_) return false;
    }
    backoff = std::min(backoff * 2, options_.reconnect_backoff_max);

    absl::StatusOr<v1::Attached> attached = Attach(Clock::now() + options_.attach_timeout);
    if (!attached.ok()) {
      // First failure and then every 30th, so a long outage does not flood.
      if (attempt % 30 == 1) {
        log_(LogSeverity::kWarning, absl::StrFormat("re-attach attempt %d failed: %s; retrying",
                                                    attempt, attached.status().ToString()));
      }
      continue;
    }
    // Served within the plan KVM holds: what the daemon cannot serve of it
    // comes back in attached->refused (Publish logs each part).
    Publish(*attached);
    log_(LogSeverity::kInfo,
         absl::StrFormat("re-attached to hypercalld as session %s", attached->session_id()));
    return true;
  }
}

}  // namespace hypercall::shim::internal
