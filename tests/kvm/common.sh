# shellcheck shell=bash
# Shared by the KVM suite's scripts (sourced): failing loudly, and checking
# that the tools a step needs are installed.

kvm_die() {
  echo "kvm-suite: $*" >&2
  exit 1
}

# kvm_need_tools "PACKAGE(S) TO INSTALL" TOOL... : fail with the package to
# install when a tool is missing (this suite never skips silently).
kvm_need_tools() {
  local hint=$1 tool missing=()
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    kvm_die "missing ${missing[*]}: install $hint (deploy/quickstart.sh test does, from deploy/packages-emulation.txt)"
  fi
}
