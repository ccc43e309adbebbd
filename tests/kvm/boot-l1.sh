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
# The machine's clock (KVM_L1_CLOCK):
#   icount (default): -icount shift=0,sleep=off, one emulated instruction is
#     1 ns of the machine's time and idle time is skipped. Timings inside
#     (the bench guest, the measure step) then count emulated work, the same
#     from one run to the next whatever else the host runs; with the host's
#     clock they are mostly the host's scheduling of QEMU's threads (see
#     deploy/ARM64.md, "Measured under emulation"). Both emulated CPUs run on
#     one QEMU thread, taking turns.
#   realtime: multi-threaded TCG on the host's clock, each emulated CPU a
#     host thread: truly simultaneous CPUs, timings at the host's mercy.
# The choice is on L1's kernel command line (l1_clock=), which the measure
# step prints.
case ${KVM_L1_CLOCK:-icount} in
  icount) clock=(-accel tcg -icount "shift=0,sleep=off") ;;
  realtime) clock=(-accel "tcg,thread=multi") ;;
  *) kvm_die "KVM_L1_CLOCK must be icount or realtime (got '$KVM_L1_CLOCK')" ;;
esac
# -nic none: the machine talks to the host over its console only; the default
# NIC (virtio-net-pci) would need a boot ROM (efi-virtio.rom, ipxe-qemu) that
# qemu-system-arm installed without recommends does not bring.
status=0
timeout -k 10 "$limit" qemu-system-aarch64 \
  -M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on -smp 2 -m 1024 \
  "${clock[@]}" -nic none -nographic -no-reboot -kernel "$kernel" -initrd "$initramfs" \
  -append "console=ttyAMA0 rdinit=/init panic=-1 quiet l1_clock=${KVM_L1_CLOCK:-icount}" </dev/null 2>&1 |
  tr -d '\r' | tee "$log" || status=$?
case $status in
  0) ;;
  124 | 137) kvm_die "the emulated machine did not power off within $limit s (console: $log)" ;;
  *) kvm_die "qemu-system-aarch64 failed (status $status; console: $log)" ;;
esac
