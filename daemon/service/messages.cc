#include "service/messages.h"

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "wire/convert.h"

namespace hypercall::service {

core::VmDescription FromProto(const v1::VmInfo& vm) {
  core::VmDescription out;
  out.name = vm.name();
  out.uuid = vm.uuid();
  out.vcpu_count = vm.vcpu_count();
  out.ram.reserve(static_cast<size_t>(vm.ram_size()));
  for (const v1::RamRegion& region : vm.ram()) {
    out.ram.push_back({region.guest_phys_addr(), region.size()});
  }
  out.stolen_time = {vm.stolen_time().guest_phys_addr(), vm.stolen_time().size()};
  return out;
}

void ToPlan(const core::Session& session, v1::ForwardingPlan& plan) {
  for (const core::Route& route : session.routes().routes()) {
    v1::PlannedRange* range = plan.add_ranges();
    wire::SetRange(route.range, *range);
    range->set_args_read_mask(route.args_read_mask);
    range->set_provider(route.provider->name);
    wire::ToProto(route.memory, *range->mutable_memory());
  }
  plan.mutable_stolen_time_records()->Add(session.stolen_time_records().begin(),
                                          session.stolen_time_records().end());
}

absl::StatusOr<std::vector<core::HeldRange>> HeldFromProto(const v1::ForwardingPlan& plan) {
  std::vector<core::HeldRange> held;
  for (int i = 0; i < plan.ranges_size(); ++i) {
    const v1::PlannedRange& range = plan.ranges(i);
    absl::StatusOr<smccc::FunctionRange> ids = wire::RangeFromProto(range);
    absl::StatusOr<std::vector<smccc::MemoryOperand>> memory = wire::FromProto(range.memory());
    const absl::Status status = !ids.ok() ? ids.status() : memory.status();
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("attach.held_plan range %d: %s", i, status.message()));
    }
    held.push_back({*ids, range.args_read_mask(), range.provider(), *std::move(memory)});
  }
  return held;
}

void ToRefused(const core::Session& session, v1::Attached& attached) {
  for (const core::RefusedRange& range : session.refused()) {
    v1::RefusedRange* out = attached.add_refused();
    out->set_first_function_id(range.range.first);
    out->set_count(static_cast<uint32_t>(range.range.size()));
    out->set_reason(range.reason);
  }
}

void ToRangeInfo(const core::Route& route, v1::RangeInfo& info) {
  wire::SetRange(route.range, info);
  info.set_provider(route.provider->name);
  info.set_args_read_mask(route.args_read_mask);
  wire::ToProto(route.memory, *info.mutable_memory());
  info.set_secret_results(route.secret_results);
}

void ToSessionInfo(const core::Session& session, v1::SessionInfo& info) {
  info.set_session_id(session.id());
  info.set_vm_name(session.vm().name);
  info.set_vm_uuid(session.vm().uuid);
  info.set_vcpu_count(session.vm().vcpu_count);
  info.set_vcpus_connected(session.vcpus_connected());
  info.set_calls(session.calls());
  info.set_attached_unix_seconds(absl::ToUnixSeconds(session.attached_at()));
  info.set_software(session.software());
  if (session.peer().has_value()) ToPeerIdentity(*session.peer(), *info.mutable_peer());
}

void ToPeerIdentity(const base::PeerCredentials& peer, v1::PeerIdentity& identity) {
  identity.set_pid(peer.pid);
  identity.set_uid(peer.uid);
  identity.set_gid(peer.gid);
}

void ToExternalCallStats(const providers::RemoteProviderStats& stats, v1::ExternalCallStats& out) {
  out.set_forwarded(stats.forwarded);
  out.set_answered(stats.answered);
  out.set_unserved(stats.unclaimed);
  out.set_timed_out(stats.timed_out);
  out.set_lost_with_process(stats.disconnected);
  out.set_over_limit(stats.over_limit + stats.send_failed);
  out.set_stray_results(stats.stray_results);
}

void ToTraceEvent(const core::TraceRecord& record, v1::TraceEvent& event) {
  event.set_unix_nanos(record.unix_nanos);
  v1::Call* call = event.mutable_call();
  wire::ToProto(record.call, *call);
  call->set_call_id(record.call_id);
  if (record.vm != nullptr) call->set_vm(*record.vm);
  call->set_vcpu(record.vcpu);
  v1::Result* result = event.mutable_result();
  wire::ToProto(record.result, *result);
  result->set_call_id(record.call_id);
  event.set_provider(record.provider != nullptr ? record.provider->name : "");
  event.set_latency_nanos(record.latency_nanos);
  event.set_dropped_before(record.dropped_before);
  event.set_registers_withheld(record.registers_withheld);
  event.set_results_secret(record.results_secret);
}

}  // namespace hypercall::service
