#include "config/limits.h"

#include <array>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "wire/protocol.h"

namespace hypercall::config {
namespace {

constexpr std::array<Limit, 14> kLimits = {{
    {"call_deadline_ms", 1000, 1, 60000,
     "how long a provider may take to answer one call before the vCPU gets NOT_SUPPORTED (ms)",
     &LimitsInForce::call_deadline_ms},
    {"max_calls_in_flight_per_provider", 1024, 1, 65536,
     "calls one external provider may have unanswered at once; more get NOT_SUPPORTED",
     &LimitsInForce::max_calls_in_flight_per_provider},
    {"max_message_bytes", static_cast<uint32_t>(wire::kMaxMessageBytes), 4096, 4 << 20,
     "largest gRPC message either way, on every socket (bytes)", &LimitsInForce::max_message_bytes},
    {"max_sessions", 256, 1, 65536, "live VM sessions", &LimitsInForce::max_sessions},
    {"max_providers", 64, 1, 1024, "connected external provider processes",
     &LimitsInForce::max_providers},
    {"max_trace_watchers", 32, 1, 1024, "live trace watchers", &LimitsInForce::max_trace_watchers},
    {"max_sessions_per_uid", 64, 1, 65536, "live VM sessions whose VMMs run as one uid",
     &LimitsInForce::max_sessions_per_uid},
    {"max_provider_streams_per_uid", 16, 1, 1024,
     "connected external provider processes of one uid",
     &LimitsInForce::max_provider_streams_per_uid},
    {"restart_grace_ms", 30000, 0, 600000,
     "how long after a start a VM name stays reserved for the VMM that held it before (ms)",
     &LimitsInForce::restart_grace_ms},
    {"open_timeout_ms", 5000, 100, 60000,
     "how long a new VMM or provider stream may wait before its first message (attach, open, "
     "hello) before it is closed (ms)",
     &LimitsInForce::open_timeout_ms},
    {"max_connections", 1024, 1, 65536,
     "connections open at once on all sockets; more are closed as they are accepted",
     &LimitsInForce::max_connections},
    {"max_connections_per_uid", 256, 1, 65536,
     "connections open at once from processes of one uid; more are closed as they are accepted",
     &LimitsInForce::max_connections_per_uid},
    {"max_missed_deadlines", 8, 1, 1024,
     "calls in a row an external provider process may leave unanswered past their deadline "
     "before its ranges are freed for another process and its stream ends",
     &LimitsInForce::max_missed_deadlines},
    {"max_provider_queue_bytes", 4 << 20, 64 << 10, 256 << 20,
     "bytes waiting to be written to one external provider process; calls beyond get "
     "NOT_SUPPORTED",
     &LimitsInForce::max_provider_queue_bytes},
}};

}  // namespace

std::span<const Limit> AllLimits() { return kLimits; }

LimitsInForce InForce(const v1::Limits& limits) {
  const google::protobuf::Descriptor& descriptor = *limits.GetDescriptor();
  const google::protobuf::Reflection& reflection = *limits.GetReflection();
  LimitsInForce in_force;
  for (const Limit& limit : kLimits) {
    const google::protobuf::FieldDescriptor* field =
        descriptor.FindFieldByName(std::string(limit.name));
    in_force.*limit.in_force = reflection.HasField(limits, field)
                                   ? reflection.GetUInt32(limits, field)
                                   : limit.default_value;
  }
  return in_force;
}

}  // namespace hypercall::config
