#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`, clang) and runs each one for SECONDS
# (default 30; CI runs all of them, about 6 minutes at 30 s) against a fresh copy of its seed
# corpus in build/fuzz/corpus-work/<target>. Prints the executions per target; exits 1 if any
# target crashes (also: sanitizer report, leak, timeout or out-of-memory). Crashing inputs are kept
# in build/fuzz/artifacts/, logs in build/fuzz/logs/. For longer runs that keep their corpus and
# report coverage, see long-run.sh.
#
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
# shellcheck source=tests/fuzz/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-30}"
fuzz_check_seconds "$seconds"
fuzz_build

work=build/fuzz/corpus-work
logs=build/fuzz/logs
mkdir -p "$work" build/fuzz/artifacts "$logs"

status=0
report=()
for t in $(fuzz_targets); do
  bin="$(fuzz_binary "$t")"
  rm -rf "${work:?}/$t"
  mkdir -p "$work/$t"
  cp tests/fuzz/corpus/"$t"/* "$work/$t"/

  log="$logs/$t.log"
  echo "== $t: ${seconds}s"
  rc=0
  # shellcheck disable=SC2046 # fuzz_args prints one flag per word
  "$bin" $(fuzz_args "$t" "$seconds") "$work/$t" >"$log" 2>&1 || rc=$?

  execs="$(fuzz_stat "$log" number_of_executed_units)"
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
