#!/usr/bin/env bash
# Turns the emulated machine's console log (tests/kvm/boot-l1.sh) into one
# test result, printing why when it fails:
#   check-log.sh LOG l1          L1 came up, hypercalld answered, /init finished
#   check-log.sh LOG guest NAME  guest NAME's block: a TAP plan, every planned
#                                check present and "ok", exit status 0
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 LOG l1 | LOG guest NAME" >&2; exit 2; }
log=$1
[ -f "$log" ] || { echo "FAIL: no console log $log (the kvm_boot setup test writes it)"; exit 1; }

fail() {
  echo "FAIL: $*"
  exit 1
}

check_l1() {
  grep -q '^@@kvm l1 up' "$log" || { tail -n 30 "$log"; fail "L1 never reached /init"; }
  if grep -q '^@@kvm l1 error' "$log"; then
    grep -A 20 '^@@kvm l1 error' "$log"
    fail "L1: $(sed -n 's/^@@kvm l1 error //p' "$log" | head -n 1)"
  fi
  grep -q '^@@kvm l1 hypercalld up' "$log" || fail "hypercalld never answered in L1"
  grep -q '^@@kvm l1 done' "$log" || { tail -n 30 "$log"; fail "L1's /init never finished"; }
  echo "PASS: L1 booted ($(sed -n 's/^@@kvm l1 up //p' "$log")), hypercalld answered, /init finished"
}

check_guest() {
  local name=$1 block status plan planned line
  grep -qx "@@kvm begin $name" "$log" || fail "guest $name never ran (L1 did not reach it; see $log)"
  block=$(sed -n "/^@@kvm begin $name\$/,/^@@kvm end $name /p" "$log")
  echo "$block"
  status=$(echo "$block" | sed -n "s/^@@kvm end $name status=\([0-9]*\).*/\1/p")
  [ -n "$status" ] || fail "guest $name did not finish (no end marker)"

  local failures=()
  while IFS= read -r line; do failures+=("$line"); done < <(echo "$block" | grep -E '^not ok\b' || true)
  plan=$(echo "$block" | grep -E '^1\.\.[0-9]+' || true)
  local ran
  ran=$(echo "$block" | grep -c -E '^(not )?ok [0-9]+' || true)
  local problems=()
  [ ${#failures[@]} -eq 0 ] || problems+=("${failures[@]}")
  if [ -z "$plan" ]; then
    problems+=("no TAP plan (1..N)")
  elif [ "$(echo "$plan" | wc -l)" -gt 1 ]; then
    problems+=("more than one TAP plan: $(echo "$plan" | tr '\n' ' ')")
  else
    planned=${plan#1..}
    planned=${planned%% *}
    [ "$ran" -eq "$planned" ] || problems+=("plan $plan but $ran checks reported")
  fi
  [ "$status" -eq 0 ] || problems+=("hypercall-vmm exited with status $status")
  if [ ${#problems[@]} -gt 0 ]; then
    local joined
    joined=$(printf '%s; ' "${problems[@]}")
    fail "guest $name: ${joined%; }"
  fi
  echo "PASS: guest $name: $ran checks ok, exit status 0"
}

case $2 in
  l1) check_l1 ;;
  guest) [ $# -eq 3 ] || { echo "usage: $0 LOG guest NAME" >&2; exit 2; }; check_guest "$3" ;;
  *) echo "usage: $0 LOG l1 | LOG guest NAME" >&2; exit 2 ;;
esac
