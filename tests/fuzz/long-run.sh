#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 600) on a corpus that persists across runs,
# build/fuzz/corpus-long/<target> (seeded from corpus/<target>/), so coverage accumulates from one
# run to the next. Prints per target: executions, executions per second, libFuzzer's final `cov:`
# (code edges) and `ft:` (features) figures from its last stats line, and the corpus size. Exits 1
# if any target crashes; crashing inputs are kept in build/fuzz/artifacts/, logs in
# build/fuzz/logs-long/. Name targets to run only those.
#
#   tests/fuzz/long-run.sh [SECONDS] [TARGET...]
set -euo pipefail
# shellcheck source=tests/fuzz/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-600}"
fuzz_check_seconds "$seconds"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets < <(fuzz_targets)
fuzz_build

corpora=build/fuzz/corpus-long
logs=build/fuzz/logs-long
mkdir -p "$corpora" build/fuzz/artifacts "$logs"

status=0
rows=()
for t in "${targets[@]}"; do
  bin="$(fuzz_binary "$t")"
  mkdir -p "$corpora/$t"
  cp -n tests/fuzz/corpus/"$t"/* "$corpora/$t"/  # new seeds join; what was found stays

  log="$logs/$t.log"
  echo "== $t: ${seconds}s, corpus $(find "$corpora/$t" -type f | wc -l) inputs"
  rc=0
  # shellcheck disable=SC2046 # fuzz_args prints one flag per word
  "$bin" $(fuzz_args "$t" "$seconds") "$corpora/$t" >"$log" 2>&1 || rc=$?

  execs="$(fuzz_stat "$log" number_of_executed_units)"
  rate="$(fuzz_stat "$log" average_exec_per_sec)"
  # The last status line: "#1234	DONE   cov: 1881 ft: 4219 corp: 17/1081b ..."
  last="$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
  files="$(find "$corpora/$t" -type f | wc -l)"
  bytes="$(du -sb "$corpora/$t" | cut -f1)"
  result=ok
  if [ "$rc" -ne 0 ]; then
    status=1
    result="FAILED (exit $rc), see $log"
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 10 >&2 || true
  fi
  rows+=("$(printf '%-22s %12s %8s %6s %7s %7s %10s  %s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$files" "$bytes" "$result")")
done

echo
echo "== fuzz long run (${seconds}s per target; corpora in $corpora)"
printf '%-22s %12s %8s %6s %7s %7s %10s  %s\n' target executions exec/s cov ft inputs bytes result
printf '%s\n' "${rows[@]}"
exit "$status"
