#!/usr/bin/env bash
# Fetches what the emulated arm64 machine boots into CACHE (default
# .cache/arm64 in the repository), unless it is already there:
#   CACHE/kernel/  the newest linux-image-6.12.*-arm64-unsigned from
#                  bookworm-backports: boot/vmlinuz-* (a raw arm64 Image) and
#                  the SMCCC TRNG driver module, plus VERSION
#   CACHE/busybox/ busybox-static:arm64 (bin/busybox)
# It uses a private apt state (CACHE/apt) and the Debian mirror this machine's
# apt already uses, and never touches the machine's dpkg state.
#
#   tests/kvm/fetch-arm64.sh [CACHE]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"
cache=$(mkdir -p "${1:-$here/../../.cache/arm64}" && cd "${1:-$here/../../.cache/arm64}" && pwd)

have_kernel() { compgen -G "$cache/kernel/boot/vmlinuz-*" >/dev/null && [ -f "$cache/kernel/VERSION" ]; }
have_busybox() { [ -x "$cache/busybox/bin/busybox" ]; }
if have_kernel && have_busybox; then
  echo "kvm-suite: reusing $cache (kernel $(cat "$cache/kernel/VERSION"))"
  exit 0
fi

kvm_need_tools "apt (Debian)" apt-get apt-cache
kvm_need_tools "dpkg" dpkg-deb
kvm_need_tools "tar" tar
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || kvm_die "missing $keyring: install debian-archive-keyring"
mirror=$("$here/debian-mirror.sh")

apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-backports main
SOURCES
apt_opts=(
  -q -oAPT::Architecture=arm64 -oAPT::Architectures=arm64
  -oDir::State::Lists="$apt_dir/lists" -oDir::State::Status=/dev/null
  -oDir::Etc::SourceList="$apt_dir/sources.list" -oDir::Etc::SourceParts=/nonexistent
  -oDir::Cache="$apt_dir/cache" -oAcquire::Languages=none -oAcquire::Retries=3
  -oAPT::Sandbox::User="$(id -un)"
)

echo "kvm-suite: fetching the arm64 package lists from $mirror (bookworm, bookworm-backports)"
apt-get "${apt_opts[@]}" --error-on=any update >"$apt_dir/update.log" 2>&1 || {
  cat "$apt_dir/update.log" >&2
  kvm_die "apt-get update against $mirror failed: is the mirror reachable from this machine?"
}

kernel_pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image-6.12. |
  grep -E '^linux-image-6\.12\.[0-9]+\+[a-z0-9]+-arm64-unsigned$' | sort -V | tail -n 1 || true)
[ -n "$kernel_pkg" ] || kvm_die "no linux-image-6.12.*-arm64-unsigned in $mirror bookworm-backports"

work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kvm-suite: downloading $kernel_pkg and busybox-static:arm64"
(cd "$work" && apt-get "${apt_opts[@]}" download "$kernel_pkg" busybox-static) ||
  kvm_die "apt-get download $kernel_pkg busybox-static from $mirror failed"

# Only what the suite uses: the Image and the TRNG driver (for the Linux guest).
mkdir -p "$work/kernel" "$work/busybox"
dpkg-deb --fsys-tarfile "$work/$kernel_pkg"_*.deb |
  tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' '*/arm_smccc_trng.ko*'
compgen -G "$work/kernel/boot/vmlinuz-*" >/dev/null || kvm_die "$kernel_pkg has no boot/vmlinuz-*"
basename "$work"/kernel/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$work/kernel/VERSION"
dpkg-deb --fsys-tarfile "$work"/busybox-static_*.deb | tar -x -C "$work/busybox" ./bin/busybox

rm -rf "$cache/kernel" "$cache/busybox"
mv "$work/kernel" "$work/busybox" "$cache/"
echo "kvm-suite: cached kernel $(cat "$cache/kernel/VERSION") and busybox in $cache"
