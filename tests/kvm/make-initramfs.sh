#!/usr/bin/env bash
# Builds the emulated arm64 machine's (L1's) initramfs for the KVM suite:
#   /init                 tests/kvm/l1/init
#   /bin/                 busybox, and the arm64 hypercalld, hypercall-vmm,
#                         hypercallctl, hypercall-l1-bench and
#                         hypercall-example-provider (stripped copies)
#   /lib/                 their shared libraries (DT_NEEDED, recursively, from
#                         the arm64 multiarch dirs) and the dynamic loader
#   /guests/              the bare-metal conformance guests (NAME.bin, and
#                         NAME.args: extra hypercall-vmm options, if any)
#   /linux/Image          the Debian kernel again, as the stock Linux guest (L2)
#   /linux/guest.cpio.gz  that guest's initramfs: busybox, tests/kvm/linux-guest/init
#                         and the SMCCC TRNG driver (arm_smccc_trng.ko)
#
#   tests/kvm/make-initramfs.sh ARM64_BUILD_DIR CACHE_DIR OUT.cpio.gz
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"
[ $# -eq 3 ] || { echo "usage: $0 ARM64_BUILD_DIR CACHE_DIR OUT.cpio.gz" >&2; exit 2; }
build=$1 cache=$2 out=$3
kvm_need_tools "g++-aarch64-linux-gnu (binutils-aarch64-linux-gnu)" \
  aarch64-linux-gnu-readelf aarch64-linux-gnu-strip
kvm_need_tools "cpio" cpio
kvm_need_tools "xz-utils" xz

programs=(hypercalld hypercall-vmm hypercallctl hypercall-l1-bench hypercall-example-provider)
guest_dir=$build/tests/kvm/guests
multiarch_dirs=(/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)

for p in "${programs[@]}"; do
  [ -x "$build/bin/$p" ] || kvm_die "$build/bin/$p is missing: cross-build first (tests/kvm/run-suite.sh does)"
done
compgen -G "$guest_dir/*.bin" >/dev/null || kvm_die "no guests in $guest_dir/*.bin: cross-build first"
image=$(compgen -G "$cache/kernel/boot/vmlinuz-*" | head -n 1) ||
  kvm_die "no kernel in $cache: run tests/kvm/fetch-arm64.sh"
trng_module=$(find "$cache/kernel/lib/modules" -name 'arm_smccc_trng.ko*' | head -n 1)
[ -n "$trng_module" ] || kvm_die "no arm_smccc_trng.ko in $cache/kernel/lib/modules"

stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# copy_needed_libs ROOT FILE...: FILEs' shared libraries (and theirs) into ROOT/lib.
copy_needed_libs() {
  local root=$1 file lib dir found
  shift
  local queue=("$@")
  while [ ${#queue[@]} -gt 0 ]; do
    file=${queue[0]}
    queue=("${queue[@]:1}")
    for lib in $(aarch64-linux-gnu-readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -e "$root/lib/$lib" ] && continue
      found=
      for dir in "${multiarch_dirs[@]}"; do
        if [ -e "$dir/$lib" ]; then found=$dir/$lib; break; fi
      done
      [ -n "$found" ] || kvm_die "$lib (needed by $file) is not in ${multiarch_dirs[*]}: install its :arm64 package (deploy/packages-arm64.txt)"
      cp -L "$found" "$root/lib/$lib"
      queue+=("$found")
    done
  done
}

# copy_interpreter ROOT FILE: FILE's program interpreter (the dynamic loader)
# to the path it names under ROOT.
copy_interpreter() {
  local root=$1 interp
  interp=$(aarch64-linux-gnu-readelf -l "$2" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
  [ -n "$interp" ] || return 0
  [ -e "$root$interp" ] && return 0
  [ -e "$interp" ] || kvm_die "$interp (interpreter of $2) is missing: install libc6:arm64"
  mkdir -p "$root$(dirname "$interp")"
  cp -L "$interp" "$root$interp"
}

# L2: the stock Linux guest's initramfs.
l2=$stage/l2
mkdir -p "$l2/bin" "$l2/lib/modules" "$l2/proc" "$l2/sys" "$l2/dev"
cp "$cache/busybox/bin/busybox" "$l2/bin/busybox"
install -m 0755 "$here/linux-guest/init" "$l2/init"
case "$trng_module" in
  *.xz) xz -dc "$trng_module" >"$l2/lib/modules/arm_smccc_trng.ko" ;;
  *) cp "$trng_module" "$l2/lib/modules/arm_smccc_trng.ko" ;;
esac

# L1.
l1=$stage/l1
mkdir -p "$l1/bin" "$l1/lib" "$l1/guests" "$l1/linux" "$l1/proc" "$l1/sys" "$l1/dev" \
  "$l1/tmp" "$l1/run"
cp "$cache/busybox/bin/busybox" "$l1/bin/busybox"
install -m 0755 "$here/l1/init" "$l1/init"
for p in "${programs[@]}"; do
  aarch64-linux-gnu-strip -o "$l1/bin/$p" "$build/bin/$p"
done
copy_needed_libs "$l1" "${programs[@]/#/$l1/bin/}"
for p in "${programs[@]}"; do copy_interpreter "$l1" "$l1/bin/$p"; done
cp "$guest_dir"/*.bin "$l1/guests/"
for args in "$guest_dir"/*.args; do [ -e "$args" ] && cp "$args" "$l1/guests/"; done
cp "$image" "$l1/linux/Image"
(cd "$l2" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$l1/linux/guest.cpio.gz"

# gzip -1: under emulation L1's kernel inflates it faster than it would copy
# the larger uncompressed archive, and the host spends ~2 s on it.
(cd "$l1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "kvm-suite: L1 initramfs $out ($(du -h "$out" | cut -f1)): ${programs[*]}," \
  "$(find "$l1/lib" -type f | wc -l) libraries, $(find "$l1/guests" -name '*.bin' | wc -l) guests, Linux guest"
