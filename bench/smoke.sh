#!/usr/bin/env bash
# A small, fast pass over every benchmark scenario so the instrument never rots: hundreds of
# clients, seconds per scenario, one repetition, Switchboard (one and two threads) plus the Node
# peer for fanout, and the kernel floor. Fails only when a scenario does not complete or a message
# is lost, duplicated or reordered — never on timing. Under a minute.
#
# Uses the binaries of BUILD_DIR (default build/release; build it first), or SWITCHBOARD= and
# LOADGEN= when given.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
SWITCHBOARD="${SWITCHBOARD:-$BUILD_DIR/src/server/switchboard}"
LOADGEN="${LOADGEN:-$BUILD_DIR/bench/loadgen/loadgen}"
FLOOR="${FLOOR:-$BUILD_DIR/bench/floor/floor}"
PEER="$ROOT/bench/peers/node-server.mjs"
for binary in "$SWITCHBOARD" "$LOADGEN" "$FLOOR"; do
  [ -x "$binary" ] || { echo "missing $binary: build first (cmake --build --preset release)" >&2; exit 1; }
done
(cd bench/peers && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })

WORK="$(mktemp -d /tmp/switchboard-smoke.XXXXXX)"
source "$ROOT/bench/lib.sh"
trap 'bench_cleanup; rm -rf "$WORK"' EXIT

failed=0
# smoke LABEL KIND "server flags" loadgen-args…: a fresh server, one scenario, its verdict.
smoke() {
  local label="$1" kind="$2" flags
  read -r -a flags <<<"$3"
  shift 3
  start_server "$kind" "" "${flags[@]+"${flags[@]}"}"
  local line
  # Generous set-up and drain limits: a slow CI machine is not a failure; a stall still ends it.
  line="$("$LOADGEN" "$1" --url "$SERVER_URL" --server-pid "$SERVER_PID" --timeout 60 "${@:2}" || true)"
  [ -n "$line" ] || line='{"ok":false,"error":"loadgen printed nothing"}'
  print_result "$line" "$label"
  node -e 'process.exit(JSON.parse(process.argv[1]).ok === true ? 0 : 1)' "$line" || failed=1
  stop_pid "$SERVER_PID"
}

# smoke_floor LABEL floor-args…: the kernel floor (bench/floor), no server.
smoke_floor() {
  local label="$1" line
  shift
  line="$("$FLOOR" "$@" || true)"
  [ -n "$line" ] || line='{"ok":false,"error":"floor printed nothing"}'
  print_result "$line" "$label"
  node -e 'process.exit(JSON.parse(process.argv[1]).ok === true ? 0 : 1)' "$line" || failed=1
}

echo "== benchmark smoke (bench/smoke.sh)"
drain=(--drain-timeout 20)
smoke "switchboard fanout" switchboard "--threads 1" fanout --clients 300 --publishers 5 --messages 300 "${drain[@]}"
smoke "switchboard fanout x2" switchboard "--threads 2" fanout --clients 300 --publishers 5 --messages 300 "${drain[@]}"
smoke "switchboard fanout rate" switchboard "--threads 1" fanout --clients 300 --publishers 5 --messages 100 --rate 100 "${drain[@]}"
smoke "switchboard idle" switchboard "--threads 1" idle --clients 300 --hold 1
smoke "switchboard connect" switchboard "--threads 1" connect --duration 2 --concurrency 16
smoke "switchboard broadcast-all" switchboard "--threads 2" broadcast-all --clients 1000 --rounds 2
smoke "node fanout" node "" fanout --clients 300 --publishers 5 --messages 300 "${drain[@]}"
smoke_floor "kernel floor rate" rate --clients 300 --rate 100 --messages 50
smoke_floor "kernel floor burst" burst --clients 1000 --rounds 2

if [ "$failed" -ne 0 ]; then
  echo "benchmark smoke FAILED: a scenario did not complete, or lost, duplicated or reordered a message" >&2
  exit 1
fi
echo "benchmark smoke passed"
