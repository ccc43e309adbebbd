#!/usr/bin/env bash
# The README's Quick start: install what is missing, build, then either run
# the demo (daemon on its defaults + a demo VM + the live trace) or the whole
# test suite.
#
#   deploy/quickstart.sh demo   # Ctrl-C to stop; DEMO_SECONDS=N stops after N s
#   deploy/quickstart.sh test   # also builds with clang's lock checks
#                               # (build-clang/), cross-builds for arm64 (build-arm64/) and
#                               # runs every ctest suite, the real arm64 KVM
#                               # suite under emulation included (label kvm)
#   deploy/quickstart.sh build  # install + build only
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build="${BUILD_DIR:-$top/build}"
build_arm64="${ARM64_BUILD_DIR:-$top/build-arm64}"
build_clang="${CLANG_BUILD_DIR:-$top/build-clang}"

# Every build goes through ccache, in an ignored folder of the tree: the
# builds share what they can, and the provider recipe test's copy of the
# tree (tests/daemon/providers/recipe/) rebuilds from the cache.
export CCACHE_DIR="${CCACHE_DIR:-$top/.cache/ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$top}"
export CCACHE_NOHASHDIR=1
export CMAKE_C_COMPILER_LAUNCHER="${CMAKE_C_COMPILER_LAUNCHER:-ccache}"
export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_missing_packages LIST [APT-GET OPTION...]
install_missing_packages() {
  local list=$1 missing=()
  shift
  while read -r pkg; do
    [ -z "$pkg" ] || [[ "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done < "$list"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" "${missing[@]}"
  fi
}

# The arm64 side: multiarch libraries for the cross build, the cross compiler
# and QEMU for the KVM suite.
install_arm64_packages() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "quickstart: dpkg --add-architecture arm64"
    as_root dpkg --add-architecture arm64
  fi
  install_missing_packages "$here/packages-emulation.txt" --no-install-recommends
  install_missing_packages "$here/packages-arm64.txt" --no-install-recommends
}

build_all() {
  cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHYPERCALL_KVM_ARM64_BUILD_DIR="$build_arm64" >/dev/null
  # Two jobs: gRPC translation units need ~1 GiB each; the machines have 2 cores.
  ninja -C "$build" -j "${JOBS:-$(nproc)}"
}

# The programs and the KVM suite's guests for arm64 (no test suites: they run
# on the host, and the kvm tests run these under emulation).
build_arm64() {
  cmake -S "$top" -B "$build_arm64" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_TOOLCHAIN_FILE="$top/cmake/aarch64-linux-gnu.cmake" >/dev/null
  ninja -C "$build_arm64" -j "${JOBS:-$(nproc)}"
}

# Checked locking: the libraries and programs built with clang, whose
# thread-safety analysis fails the build on a lock rule broken
# (cmake/ThreadSafetyAnalysis.cmake); its one test proves the analysis is on.
# Unoptimised (build type None): only the compiler's checks matter here.
check_locking() {
  cmake -S "$top" -B "$build_clang" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DHYPERCALL_BUILD_TESTS=OFF -DHYPERCALL_BUILD_BENCH=OFF >/dev/null
  ninja -C "$build_clang" -j "${JOBS:-$(nproc)}"
  ctest --test-dir "$build_clang" --output-on-failure
}

run_tests() {
  ctest --test-dir "$build" --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 300
}

run_demo() {
  "$here/demo.sh" "$build/bin"
}

case "${1:-}" in
  demo) install_missing_packages "$here/packages.txt"; build_all; run_demo ;;
  test)
    install_missing_packages "$here/packages.txt"
    install_arm64_packages
    build_all
    check_locking
    build_arm64
    run_tests
    ;;
  build) install_missing_packages "$here/packages.txt"; build_all ;;
  *) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac
