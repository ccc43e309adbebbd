#!/usr/bin/env bash
# Boots the emulated arm64 machine (L1: QEMU TCG, EL2 so its kernel offers
# /dev/kvm) on KERNEL with INITRAMFS, under a hard timeout, and writes its
# console to LOG (and to stdout). The initramfs's /init powers off when done.
#
#   tests/kvm/boot-l1.sh KERNEL INITRAMFS LOG [TIMEOUT_SECONDS (default 600)]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"
[ $# -ge 3 ] || { echo "usage: $0 KERNEL INITRAMFS LOG [TIMEOUT_SECONDS]" >&2; exit 2; }
kernel=$1 initramfs=$2 log=$3 limit=${4:-600}
kvm_need_tools "qemu-system-arm" qemu-system-aarch64
kvm_need_tools "coreutils" timeout

# pauth-impdef=on: QEMU's default pointer-authentication algorithm makes the
# whole machine 2-4x slower under TCG.
status=0
timeout -k 10 "$limit" qemu-system-aarch64 \
  -M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on -smp 2 -m 1024 \
  -accel tcg -nographic -no-reboot -kernel "$kernel" -initrd "$initramfs" \
  -append "console=ttyAMA0 rdinit=/init panic=-1 quiet" </dev/null 2>&1 |
  tr -d '\r' | tee "$log" || status=$?
case $status in
  0) ;;
  124 | 137) kvm_die "the emulated machine did not power off within $limit s (console: $log)" ;;
  *) kvm_die "qemu-system-aarch64 failed (status $status; console: $log)" ;;
esac
