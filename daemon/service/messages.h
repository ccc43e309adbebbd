// Conversions between the broker core's plain values and the VMM/observer
// wire messages (SMCCC calls and results convert in wire/convert.h).
#ifndef HYPERCALL_DAEMON_SERVICE_MESSAGES_H_
#define HYPERCALL_DAEMON_SERVICE_MESSAGES_H_

#include "absl/status/statusor.h"
#include "base/peer_credentials.h"
#include "core/held_plan.h"
#include "core/range_table.h"
#include "core/session.h"
#include "core/trace_hub.h"
#include "core/vm_description.h"
#include "hypercall/v1/observer.pb.h"
#include "hypercall/v1/vmm.pb.h"
#include "providers/remote/remote_provider.h"

namespace hypercall::service {

core::VmDescription FromProto(const v1::VmInfo& vm);

// The forwarding plan for a session's VM: every route it attached with, and
// its vCPUs' stolen-time records.
void ToPlan(const core::Session& session, v1::ForwardingPlan& plan);
// The plan a re-attaching VMM holds (AttachRequest.held_plan), for
// core::PlanWithin. InvalidArgument naming the range when one is empty,
// runs past the last ID or has malformed memory operands.
absl::StatusOr<std::vector<core::HeldRange>> HeldFromProto(const v1::ForwardingPlan& plan);
// The parts of the held plan a session is not served (Attached.refused).
void ToRefused(const core::Session& session, v1::Attached& attached);
void ToRangeInfo(const core::Route& route, v1::RangeInfo& info);
void ToSessionInfo(const core::Session& session, v1::SessionInfo& info);
void ToPeerIdentity(const base::PeerCredentials& peer, v1::PeerIdentity& identity);
// send_failed (the process's queue was full) counts as over_limit.
void ToExternalCallStats(const providers::RemoteProviderStats& stats, v1::ExternalCallStats& out);
// The record as it is: redact it first (core/trace_redaction.h). Registers
// it holds as zero are left out (trailing zeros are implied on the wire).
void ToTraceEvent(const core::TraceRecord& record, v1::TraceEvent& event);

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_MESSAGES_H_
