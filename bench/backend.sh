#!/usr/bin/env bash
# What driving Switchboard from an application's backend costs, in one run: RPC calls per second
# through one node (clients call `roll`, answered by a backend in 1 ms: bench/peers/hook-backend.mjs)
# and POST /api/emit to a user whose sockets are on two nodes linked by Redis. The node(s) on
# $SERVER_CPU, the drivers and the backend on $LOADGEN_CPU; the node's CPU time per call or emit
# is the figure that matters (the drivers are Node.js clients and bound the rates). Figures go into
# docs/BENCHMARKS.md ("Backend hooks and the server API").
#   SECONDS_EACH CLIENTS USERS REPS BUILD_DIR SERVER_CPU LOADGEN_CPU; NO_BUILD=1 SWITCHBOARD=…
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/bench}"
SECONDS_EACH="${SECONDS_EACH:-5}"
CLIENTS="${CLIENTS:-32}"
USERS="${USERS:-100}"
REPS="${REPS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
LOADGEN_CPU="${LOADGEN_CPU:-1}"
SWITCHBOARD="${SWITCHBOARD:-$BUILD_DIR/src/server/switchboard}"
PEER="$ROOT/bench/peers/node-server.mjs"
DRIVER="$ROOT/bench/peers/backend-driver.mjs"

if [ -z "${NO_BUILD:-}" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] ||
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHBOARD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" --target switchboard -j 2 >/dev/null
fi
(cd "$ROOT/bench/peers" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/switchboard-backend.XXXXXX)"
source "$ROOT/bench/lib.sh"
trap 'bench_cleanup; rm -rf "$WORK"' EXIT

# started_url FILE: the "listening on" URL a process printed, waiting up to 10 s.
started_url() {
  local url="" _
  for _ in $(seq 100); do
    url="$(sed -n 's/^listening on //p' "$1")"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "$1: did not start" >&2; return 1; }
  echo "$url"
}

taskset -c "$LOADGEN_CPU" node "$ROOT/bench/peers/hook-backend.mjs" --port 0 --delay-ms 1 >"$WORK/backend.out" &
STARTED+=("$!")
BACKEND_URL="$(started_url "$WORK/backend.out")"

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --save '' --appendonly no >"$WORK/redis.out" 2>&1 &
STARTED+=("$!")
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

RESULTS="$WORK/results.jsonl"
for rep in $(seq "$REPS"); do
  echo "== repetition $rep of $REPS"
  start_server switchboard "$SERVER_CPU" --threads 1 --rpc "roll=$BACKEND_URL/rpc" --hook-secret bench
  line="$(taskset -c "$LOADGEN_CPU" node "$DRIVER" rpc --url "$SERVER_URL" --pids "$SERVER_PID" \
            --clients "$CLIENTS" --seconds "$SECONDS_EACH" || true)"
  stop_pid "$SERVER_PID"
  echo "   rpc  $line"
  printf '{"label":"rpc","result":%s}\n' "${line:-{\"ok\":false\}}" >>"$RESULTS"

  start_server switchboard "$SERVER_CPU" --threads 1 --redis "redis://127.0.0.1:$REDIS_PORT" --node-id "a$rep"
  A_PID="$SERVER_PID" A_URL="$SERVER_URL"
  start_server switchboard "$SERVER_CPU" --threads 1 --redis "redis://127.0.0.1:$REDIS_PORT" --node-id "b$rep"
  B_PID="$SERVER_PID" B_URL="$SERVER_URL"
  sleep 1 # the nodes subscribe to Redis (a benchmark, not a test: no event to wait on from here)
  line="$(taskset -c "$LOADGEN_CPU" node "$DRIVER" emit --url "$A_URL" --users-on "$B_URL" --pids "$A_PID,$B_PID" \
            --users "$USERS" --seconds "$SECONDS_EACH" || true)"
  stop_pid "$A_PID"
  stop_pid "$B_PID"
  echo "   emit $line"
  printf '{"label":"emit","result":%s}\n' "${line:-{\"ok\":false\}}" >>"$RESULTS"
done

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const ok = (label) => lines.filter((l) => l.label === label && l.result.ok).map((l) => l.result);
  const rpc = ok("rpc"), emit = ok("emit");
  console.log("| what | per second | node CPU ms each |");
  console.log("|---|---:|---:|");
  if (rpc.length) console.log(`| RPC call (1 ms backend, one node) | ${Math.round(median(rpc.map((r) => r.calls_per_s))).toLocaleString("en")} | ${median(rpc.map((r) => r.server_cpu_ms_per_call)).toFixed(3)} |`);
  if (emit.length) console.log(`| POST /api/emit to a user on two nodes (both nodes CPU) | ${Math.round(median(emit.map((r) => r.emits_per_s))).toLocaleString("en")} | ${median(emit.map((r) => r.server_cpu_ms_per_emit)).toFixed(3)} |`);
  for (const e of emit) if (e.deliveries !== e.expected_deliveries) console.log(`deliveries ${e.deliveries} of ${e.expected_deliveries}`);
' "$RESULTS"
