#!/bin/bash
# Follows daemon/README.md's "Adding a provider" on a copy of the tree:
# copies the example provider (answer/, beside this script) into
# daemon/providers/answer/ and adds the one add_subdirectory line, then
# checks that nothing else changed (git status), that the copy builds, that
# the daemon lists the provider, that its options check names the line of a
# bad value, and that a call made through the real daemon gets the answer
# the options give.
#   new_provider_recipe_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source_dir=$(realpath "$1")
work=$2
here=$(dirname "$(realpath "$0")")
rm -rf "$work"
mkdir -p "$work"
copy=$work/src
git -C "$source_dir" rev-parse --git-dir >/dev/null 2>&1 || {
  echo "SKIP: $source_dir is not a git tree"
  exit 77
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The tree as committed plus what is not yet (tracked or new, not ignored).
mkdir -p "$copy"
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' |
  tar --null -T - -cf -) | tar -C "$copy" -xf -
git -C "$copy" init -q
git -C "$copy" add -A
git -C "$copy" -c user.name=recipe -c user.email=recipe@localhost commit -qm "the tree"

# The recipe: the folder, and the one line.
cp -r "$here/answer" "$copy/daemon/providers/answer"
echo "add_subdirectory(answer)" >>"$copy/daemon/providers/CMakeLists.txt"

status=$(git -C "$copy" status --porcelain --untracked-files=all | sort)
expected=$({
  echo " M daemon/providers/CMakeLists.txt"
  (cd "$copy" && find daemon/providers/answer -type f | sed 's/^/?? /')
} | sort)
[ "$status" = "$expected" ] || fail "the recipe changed more than the folder and one line:
$status"
[ "$(git -C "$copy" diff --numstat | awk '{print $1, $2, $3}')" = "1 0 daemon/providers/CMakeLists.txt" ] ||
  fail "the change to daemon/providers/CMakeLists.txt is not one added line"
cmake -DSOURCE_DIR="$copy" -P "$copy/cmake/check_provider_folders.cmake"

cmake -S "$copy" -B "$copy/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHYPERCALL_BUILD_TESTS=OFF -DHYPERCALL_BUILD_BENCH=OFF >"$work/configure.log"
ninja -C "$copy/build" -j"${JOBS:-2}" hypercalld hypercallctl >"$work/build.log" ||
  { tail -30 "$work/build.log"; fail "the copy with the new provider does not build"; }
bin=$copy/build/bin

"$bin/hypercalld" --help | grep -q "answer" || fail "hypercalld --help does not list answer"

cat >"$work/bad.conf" <<'CONF'
version: 1
provider {
  name: "answer"
  builtin { [options/answer] {
    answer: 0x100000000
  } }
}
CONF
if "$bin/hypercalld" --check-config "$work/bad.conf" 2>"$work/bad.err"; then
  fail "a bad answer passed --check-config"
fi
grep -q "bad.conf:5:5: answer 4294967296 is above 0xffffffff" "$work/bad.err" ||
  fail "the options check did not name the line: $(cat "$work/bad.err")"

sed 's/0x100000000/7/' "$work/bad.conf" >"$work/good.conf"
"$bin/hypercalld" --check-config "$work/good.conf" >/dev/null

runtime=$work/run
mkdir -p "$runtime"
"$bin/hypercalld" --config "$work/good.conf" --runtime-dir "$runtime" 2>"$work/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -S "$runtime/vmm.sock" ] && [ -S "$runtime/observer.sock" ] && break
  sleep 0.1
done
answer=$("$bin/hypercallctl" --runtime-dir "$runtime" --json call 0xC3000020)
echo "$answer" | grep -q '"x1": *"0x7"' || fail "the call did not get the configured answer: $answer"
echo "PASS: a new provider is one folder and one line; it builds, loads, checks its options and answers"
