#!/usr/bin/env bash
# Starts hypercalld on its defaults, a demo VM whose simulated vCPUs make a
# steady mix of calls, and shows the live trace until Ctrl-C (or for
# DEMO_SECONDS seconds). The daemon it starts grants the demo's own user
# register values in traces (observers see metadata only by default); TRNG's
# random bits stay secret all the same. Usage: deploy/demo.sh BIN_DIR
set -euo pipefail

bin="${1:?usage: demo.sh BIN_DIR}"
# The daemon's default runtime dir needs root; others get a private one.
if [ "$(id -u)" -eq 0 ]; then
  runtime_dir=/run/hypercalld
else
  runtime_dir="${XDG_RUNTIME_DIR:-/tmp}/hypercalld"
fi
seconds="${DEMO_SECONDS:-0}"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if "$bin/hypercallctl" --runtime-dir "$runtime_dir" status >/dev/null 2>&1; then
  echo "demo: using the hypercalld already running on $runtime_dir"
else
  log="${TMPDIR:-/tmp}/hypercalld-demo.log"
  config="${TMPDIR:-/tmp}/hypercalld-demo.conf"
  printf 'version: 1\nobservers { registers { allow_uid: %d } }\n' "$(id -u)" >"$config"
  "$bin/hypercalld" --runtime-dir "$runtime_dir" --config "$config" 2>"$log" &
  pids+=($!)
  for _ in $(seq 100); do
    "$bin/hypercallctl" --runtime-dir "$runtime_dir" status >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "demo: hypercalld started on $runtime_dir (log: $log, config: $config)"
fi

"$bin/hypercallctl" --runtime-dir "$runtime_dir" ranges
"$bin/hypercall-demo-vm" --runtime-dir "$runtime_dir" --duration "$seconds" >/dev/null &
pids+=($!)
echo "demo: live trace (Ctrl-C to stop)"
trace_args=()
[ "$seconds" -gt 0 ] && trace_args=(--duration "$seconds")
"$bin/hypercallctl" --runtime-dir "$runtime_dir" trace "${trace_args[@]}"
