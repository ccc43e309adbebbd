#!/usr/bin/env bash
# The real arm64 KVM suite, in one command: cross-builds the arm64 programs and
# guests, fetches the Debian arm64 kernel and busybox (cached), builds the
# emulated machine's initramfs, boots it under QEMU, and turns the console
# into results: L1 itself, each bare-metal conformance guest, the measurement
# step (deploy/ARM64.md "Measured under emulation"), the stock Linux guest.
# Fails loudly (with what to install) where the machine cannot run it.
#
#   tests/kvm/run-suite.sh [--arm64-build DIR] [--cache DIR] [--out DIR]
#                          [--jobs N] [--no-build] [--boot-only]
#     --arm64-build DIR  cross build dir (default build-arm64; configured here
#                        with cmake/aarch64-linux-gnu.cmake if it is not yet)
#     --cache DIR        downloads (default .cache/arm64)
#     --out DIR          initramfs and console.log (default DIR-of-arm64-build/kvm-suite)
#     --no-build         use the arm64 build as it is
#     --boot-only        stop after the boot (ctest's kvm_boot fixture; the
#                        per-guest ctest tests then read OUT/console.log)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"

build=$top/build-arm64 cache=$top/.cache/arm64 out='' jobs=${JOBS:-$(nproc)} boot_only='' no_build=''
while [ $# -gt 0 ]; do
  case $1 in
    --arm64-build) build=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-build) no_build=1; shift ;;
    --boot-only) boot_only=1; shift ;;
    *)
      echo "usage: $0 [--arm64-build DIR] [--cache DIR] [--out DIR] [--jobs N] [--no-build] [--boot-only]" >&2
      exit 2
      ;;
  esac
done
out=${out:-$build/kvm-suite}

step() { echo "kvm-suite: == $* ($(date +%T))"; }

kvm_need_tools "qemu-system-arm" qemu-system-aarch64
kvm_need_tools "g++-aarch64-linux-gnu" aarch64-linux-gnu-gcc aarch64-linux-gnu-g++
kvm_need_tools "cmake ninja-build" cmake ninja

if [ -z "$no_build" ]; then
  step "cross build in $build"
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$top" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$top/cmake/aarch64-linux-gnu.cmake" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
      kvm_die "configuring the arm64 build failed: are the :arm64 packages of deploy/packages-arm64.txt installed?"
  fi
  cmake --build "$build" -j "$jobs"
fi

step "fetch into $cache"
"$here/fetch-arm64.sh" "$cache"

step "initramfs"
mkdir -p "$out"
"$here/make-initramfs.sh" "$build" "$cache" "$out/l1.cpio.gz"

step "boot"
"$here/boot-l1.sh" "$(compgen -G "$cache/kernel/boot/vmlinuz-*" | head -n 1)" "$out/l1.cpio.gz" \
  "$out/console.log" "${KVM_BOOT_TIMEOUT:-900}"
step "console saved in $out/console.log"
[ -z "$boot_only" ] || exit 0

step "results"
results=()
failed=0
record() {
  if "$here/check-log.sh" "$out/console.log" "$@" >"$out/check.txt" 2>&1; then
    results+=("$(tail -n 1 "$out/check.txt")")
  else
    cat "$out/check.txt"
    results+=("$(grep -m 1 '^FAIL' "$out/check.txt")")
    failed=$((failed + 1))
  fi
}
record l1
for bin in "$build"/tests/kvm/guests/*.bin; do record guest "$(basename "$bin" .bin)"; done
record guest measure
record guest linux-guest
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ] || kvm_die "$failed of ${#results[@]} failed (console: $out/console.log)"
echo "kvm-suite: all ${#results[@]} passed"
