# shellcheck shell=bash
# Sourced by run.sh and long-run.sh: builds the libFuzzer targets (CMake preset `fuzz`, clang) and
# tells what each target needs. Every target has a seed corpus in corpus/<target>/, which is also
# how the scripts know the targets; its dictionary, when it has one, is <target without fuzz_>.dict.

fuzz_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$fuzz_root" || exit 1

fuzz_build() {
  cmake --preset fuzz
  cmake --build --preset fuzz
}

# The targets, one per line.
fuzz_targets() {
  ls tests/fuzz/corpus
}

# The built binary of target $1; exits when it was not built.
fuzz_binary() {
  local bin="build/fuzz/tests/fuzz/$1"
  if [ ! -x "$bin" ]; then
    echo "error: $1 was not built (is it in tests/fuzz/CMakeLists.txt?)" >&2
    exit 1
  fi
  echo "$bin"
}

# libFuzzer flags for target $1 run for $2 seconds; crashing inputs go to build/fuzz/artifacts/.
fuzz_args() {
  local args=(-max_total_time="$2" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix="build/fuzz/artifacts/$1-")
  local dict="tests/fuzz/${1#fuzz_}.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")
  echo "${args[@]}"
}

# The last value of libFuzzer's final statistic $2 (e.g. number_of_executed_units) in log $1.
fuzz_stat() {
  awk -v key="stat::$2:" '$1 == key { v = $2 } END { print v }' "$1"
}

fuzz_check_seconds() {
  if ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -eq 0 ]; then
    echo "usage: $0 [SECONDS]" >&2
    exit 2
  fi
}
