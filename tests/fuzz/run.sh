#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`, clang) and runs each one for SECONDS
# (default 30) against a fresh copy of its seed corpus in build/fuzz/corpus-work/<target>.
# Prints the executions per target; exits 1 if any target crashes (also: sanitizer report, leak,
# timeout or out-of-memory). Crashing inputs are kept in build/fuzz/artifacts/, logs in build/fuzz/logs/.
#
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

cmake --preset fuzz
cmake --build --preset fuzz

targets=(fuzz_ws_reader fuzz_engineio_payload fuzz_socketio_decoder fuzz_utf8)
work=build/fuzz/corpus-work
artifacts=build/fuzz/artifacts
logs=build/fuzz/logs
mkdir -p "$work" "$artifacts" "$logs"

status=0
report=()
for t in "${targets[@]}"; do
  bin="$(find build/fuzz -type f -name "$t" -perm -u+x | head -n 1)"
  if [ -z "$bin" ]; then
    echo "error: $t was not built" >&2
    exit 1
  fi

  rm -rf "${work:?}/$t"
  mkdir -p "$work/$t"
  cp tests/fuzz/corpus/"$t"/* "$work/$t"/

  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$t-")
  dict="tests/fuzz/${t#fuzz_}.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")

  log="$logs/$t.log"
  echo "== $t: ${seconds}s"
  rc=0
  "$bin" "${args[@]}" "$work/$t" >"$log" 2>&1 || rc=$?

  execs="$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log" | tail -n 1)"
  if [ "$rc" -ne 0 ]; then
    status=1
    report+=("$(printf '%-24s FAILED (exit %s) after %s executions; see %s' "$t" "$rc" "${execs:-?}" "$log")")
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 10 >&2 || true
  else
    report+=("$(printf '%-24s %12s executions' "$t" "${execs:-?}")")
  fi
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${report[@]}"
exit "$status"
