#!/bin/bash
# Installs the build into a DESTDIR, then, against the installed files only:
# compiles the installed headers with nothing but the installed include
# root; builds tiny_vmm and tiny_provider (consumer/) once with pkg-config and
# once with find_package(hypercall); and runs each pair against the build's
# hypercalld, checking that one call from the VMM reaches the provider and
# its answer comes back.
#
# Usage: check_installed.sh CMAKE BUILD_DIR CONSUMER_DIR HYPERCALLD PREFIX LIBDIR CXX CC
set -euo pipefail
cmake=$1 build=$2 consumer=$3 hypercalld=$4 prefix=$5 libdir=$6 cxx=$7 cc=$8

work=$(mktemp -d "${TMPDIR:-/tmp}/hypercall-install-test.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

root=$work/root
DESTDIR=$root "$cmake" --install "$build" >"$work/install.log" || fail "install: $(cat "$work/install.log")"
lib=$root$prefix/$libdir
for so in libhypercall-shim.so libhypercall-provider-sdk.so; do
  soname=$(readelf -d "$lib/$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [[ $soname == "$so.0" ]] || fail "$so has SONAME '$soname', not $so.0"
done

# pkg-config with the sysroot and search path into the DESTDIR.
export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$lib/pkgconfig
flags=$(pkg-config --cflags hypercall-shim hypercall-provider-sdk)

# Every installed header in one C++ unit, and the C API as C: an include of
# anything not installed (a generated protobuf header, gRPC, a source-tree
# header) fails here.
include_root=$root$prefix/include/hypercalld
(cd "$include_root" && find . -name '*.h' -printf '#include "%P"\n' | sort) >"$work/headers.cc"
# shellcheck disable=SC2086
"$cxx" -std=c++20 -fsyntax-only $flags "$work/headers.cc" || fail "the installed headers do not compile"
echo '#include "hypercall/shim.h"' >"$work/c_api.c"
# shellcheck disable=SC2086
"$cc" -std=c11 -pedantic -Werror -fsyntax-only $flags "$work/c_api.c" || fail "hypercall/shim.h is not C"

mkdir "$work/pkg-config"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -o "$work/pkg-config/tiny_vmm" "$consumer/tiny_vmm.cc" \
  $(pkg-config --cflags --libs hypercall-shim) || fail "tiny_vmm with pkg-config"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -o "$work/pkg-config/tiny_provider" "$consumer/tiny_provider.cc" \
  $(pkg-config --cflags --libs hypercall-provider-sdk) || fail "tiny_provider with pkg-config"
readelf -d "$work/pkg-config/tiny_vmm" | grep -q 'NEEDED.*\[libhypercall-shim\.so\.0\]' ||
  fail "tiny_vmm does not load libhypercall-shim.so.0"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

# find_package(hypercall) with CMAKE_PREFIX_PATH into the DESTDIR.
"$cmake" -S "$consumer" -B "$work/find_package" -DCMAKE_PREFIX_PATH="$root$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" ||
  fail "find_package configure: $(cat "$work/configure.log")"
"$cmake" --build "$work/find_package" >"$work/build.log" ||
  fail "find_package build: $(cat "$work/build.log")"

cat >"$work/hypercalld.conf" <<CONFIG
version: 1
provider {
  name: "tiny"
  external { allow_uid: $(id -u) }
  range { first: 0xC3000000 last: 0xC30000FF reads: 1 }
}
CONFIG

# Runs tiny_provider and tiny_vmm from `bin` against a fresh hypercalld.
run_pair() {
  local bin=$1 run=$work/run-${1##*/}
  "$hypercalld" --runtime-dir "$run" --config "$work/hypercalld.conf" 2>"$run.daemon.log" &
  pids+=($!)
  for _ in $(seq 100); do
    [[ -S $run/vmm.sock && -S $run/provider.sock ]] && break
    sleep 0.1
  done
  LD_LIBRARY_PATH=$lib "$bin/tiny_provider" "$run" 2>"$run.provider.log" &
  pids+=($!)
  LD_LIBRARY_PATH=$lib "$bin/tiny_vmm" "$run" ||
    fail "${bin##*/} pair: daemon: $(cat "$run.daemon.log"); provider: $(cat "$run.provider.log")"
}
run_pair "$work/pkg-config"
run_pair "$work/find_package"
echo "PASS: installed libraries built, linked and answered via pkg-config and find_package"
