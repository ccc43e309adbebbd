// Every limit a config's `limits` block sets (config.proto Limits), written
// once: its default, the range a config may give it, and what it bounds.
// The config check refuses values outside the range; the daemon runs on
// LimitsInForce; daemon/README.md lists the same table (a test compares).
#ifndef HYPERCALL_DAEMON_CONFIG_LIMITS_H_
#define HYPERCALL_DAEMON_CONFIG_LIMITS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "hypercall/config/v1/config.pb.h"

namespace hypercall::config {

// The limits the daemon runs on: the config's values, defaults for the rest.
struct LimitsInForce {
  uint32_t call_deadline_ms = 0;
  uint32_t max_calls_in_flight_per_provider = 0;
  uint32_t max_message_bytes = 0;
  uint32_t max_sessions = 0;
  uint32_t max_providers = 0;
  uint32_t max_trace_watchers = 0;
  uint32_t max_sessions_per_uid = 0;
  uint32_t max_provider_streams_per_uid = 0;
  uint32_t restart_grace_ms = 0;
  uint32_t open_timeout_ms = 0;
  uint32_t max_connections = 0;
  uint32_t max_connections_per_uid = 0;
  uint32_t max_missed_deadlines = 0;
  uint32_t max_provider_queue_bytes = 0;
};

struct Limit {
  // The field of config.proto's Limits message.
  std::string_view name;
  uint32_t default_value;
  // A config may set min..max, both included.
  uint32_t min;
  uint32_t max;
  // What it bounds, in a few words (for the README).
  std::string_view bounds;
  uint32_t LimitsInForce::*in_force;
};

// Every limit, in the order of config.proto.
std::span<const Limit> AllLimits();

// `limits` (a config's block, possibly empty) with defaults filled in.
LimitsInForce InForce(const v1::Limits& limits);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_LIMITS_H_
