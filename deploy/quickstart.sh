#!/usr/bin/env bash
# The README's Quick start: install what is missing, build, then either run
# the demo (daemon on its defaults + a demo VM + the live trace) or the whole
# test suite.
#
#   deploy/quickstart.sh demo   # Ctrl-C to stop; DEMO_SECONDS=N stops after N s
#   deploy/quickstart.sh test   # builds and runs every ctest suite
#   deploy/quickstart.sh build  # install + build only
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build="${BUILD_DIR:-$top/build}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing_packages() {
  local missing=()
  while read -r pkg; do
    [ -z "$pkg" ] || [[ "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done < "$here/packages.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
}

build_all() {
  cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  # Two jobs: gRPC translation units need ~1 GiB each; the machines have 2 cores.
  ninja -C "$build" -j "${JOBS:-$(nproc)}"
}

run_tests() {
  ctest --test-dir "$build" --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 300
}

run_demo() {
  "$here/demo.sh" "$build/bin"
}

case "${1:-}" in
  demo) install_missing_packages; build_all; run_demo ;;
  test) install_missing_packages; build_all; run_tests ;;
  build) install_missing_packages; build_all ;;
  *) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac
