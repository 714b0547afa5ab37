#!/usr/bin/env bash
# Switchboard against the Node.js Socket.IO peer (bench/peers/node-server.mjs) under identical
# workloads, in one go: each server pinned to CPU $SERVER_CPU, the load generator to $LOADGEN_CPU,
# a fresh server process for every measurement, $REPS repetitions alternating the two servers,
# medians. Prints the table with the ratios and writes docs/benchmarks.json and
# docs/benchmarks.png. See docs/BENCHMARKS.md for what each figure means.
#
# Sizes come from the environment (defaults: issue 5's 1,000 clients and 100-byte messages):
#   CLIENTS SIZE PUBLISHERS MESSAGES WINDOW RATE RATE_MESSAGES HOLD CONNECT_SECONDS CONCURRENCY
#   BROADCAST_CLIENTS REPS CASES BUILD_DIR SERVER_CPU LOADGEN_CPU OUT_JSON OUT_PNG
# and, to measure binaries built elsewhere: NO_BUILD=1 SWITCHBOARD=… LOADGEN=… FLOOR=…
#   IR_CLIENTS IR_MESSAGES
# CASES picks among: fanout rate idle connect broadcast cluster threads2 instructions floor (all by
# default; instructions runs once, not per repetition: callgrind's counts do not drift). floor is
# the kernel's floor beside the rate and broadcast cases (bench/floor/floor.cpp): one write per
# socket per message from a bare sender on the servers' CPU, no protocol at all.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

BUILD_DIR="${BUILD_DIR:-$ROOT/build/bench}"
CLIENTS="${CLIENTS:-1000}"
SIZE="${SIZE:-100}"
PUBLISHERS="${PUBLISHERS:-10}"
MESSAGES="${MESSAGES:-3000}"          # full speed: CLIENTS × MESSAGES deliveries
WINDOW="${WINDOW:-32}"
RATE="${RATE:-50}"                    # messages/s for the fixed-rate and the Redis cases
RATE_MESSAGES="${RATE_MESSAGES:-1000}"
HOLD="${HOLD:-5}"
CONNECT_SECONDS="${CONNECT_SECONDS:-5}"
CONCURRENCY="${CONCURRENCY:-64}"
# As many clients as the open-file limit lets one process hold, less a margin for the rest.
BROADCAST_CLIENTS="${BROADCAST_CLIENTS:-$(($(ulimit -Hn) - 200))}"
# Instructions per delivery under callgrind: two fanouts differing only in their message count.
IR_CLIENTS="${IR_CLIENTS:-200}"
IR_MESSAGES="${IR_MESSAGES:-100 600}"
REPS="${REPS:-3}"
CASES="${CASES:-fanout rate idle connect broadcast cluster threads2 instructions floor}"
SERVER_CPU="${SERVER_CPU:-0}"
LOADGEN_CPU="${LOADGEN_CPU:-1}"
OUT_JSON="${OUT_JSON:-$ROOT/docs/benchmarks.json}"
OUT_PNG="${OUT_PNG:-$ROOT/docs/benchmarks.png}"

SWITCHBOARD="${SWITCHBOARD:-$BUILD_DIR/src/server/switchboard}"
LOADGEN="${LOADGEN:-$BUILD_DIR/bench/loadgen/loadgen}"
FLOOR="${FLOOR:-$BUILD_DIR/bench/floor/floor}"
PEER="$ROOT/bench/peers/node-server.mjs"

echo "== build (in $BUILD_DIR) and the Node peer's modules"
if [ -z "${NO_BUILD:-}" ]; then
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHBOARD_TESTS=OFF >/dev/null
  fi
  if ! cmake --build "$BUILD_DIR" --target switchboard loadgen floor -j 2 >"$BUILD_DIR/bench-build.log" 2>&1; then
    tail -30 "$BUILD_DIR/bench-build.log"
    exit 1
  fi
fi
(cd bench/peers && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
command -v gnuplot >/dev/null || echo "gnuplot missing: apt-get install -y gnuplot-nox (the PNG will be skipped)"

# Both servers and the generator may hold BROADCAST_CLIENTS sockets each.
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/switchboard-bench.XXXXXX)"
RESULTS="$WORK/results.jsonl"
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT

# append SERVER CASE REP LINE: one measurement's JSON line into $RESULTS, and its summary.
append() {
  printf '{"server":"%s","case":"%s","rep":%s,"result":%s}\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
  print_result "$4" "$1 $2"
}

# record SERVER CASE REP loadgen-args…: runs the generator pinned to its CPU, appends its JSON line.
record() {
  local server="$1" case_name="$2" rep="$3"
  shift 3
  local line
  line="$(taskset -c "$LOADGEN_CPU" "$LOADGEN" "$@" || true)"
  [ -n "$line" ] || line='{"ok":false,"error":"loadgen printed nothing"}'
  append "$server" "$case_name" "$rep" "$line"
}

# record_floor CASE REP floor-args…: the kernel floor as server "floor". It pins itself: the sender
# to the servers' CPU, its reader (the clients' side) to the generator's.
record_floor() {
  local case_name="$1" rep="$2"
  shift 2
  local line
  line="$("$FLOOR" "$@" --sender-cpu "$SERVER_CPU" --reader-cpu "$LOADGEN_CPU" || true)"
  [ -n "$line" ] || line='{"ok":false,"error":"floor printed nothing"}'
  append floor "$case_name" "$rep" "$line"
}

# one_node SERVER CASE REP [server flags…] -- loadgen-args…: a fresh server, one measurement.
one_node() {
  local server="$1" case_name="$2" rep="$3"
  shift 3
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  local threads=(--threads 1) cpus="$SERVER_CPU"
  if [ "$case_name" = threads2 ]; then threads=(--threads 2); cpus="0-$(($(nproc) - 1))"; fi
  if [ "$server" = switchboard ]; then
    start_server switchboard "$cpus" "${threads[@]}" "${flags[@]}"
  else
    start_server node "$cpus" "${flags[@]}"
  fi
  record "$server" "$case_name" "$rep" "$1" --url "$SERVER_URL" --server-pid "$SERVER_PID" "${@:2}"
  stop_pid "$SERVER_PID"
}

# cluster SERVER REP: Redis and two nodes of SERVER (all on the server CPU), clients split.
cluster() {
  local server="$1" rep="$2" port urls=() pids=()
  port="$(free_port)"
  taskset -c "$SERVER_CPU" redis-server --port "$port" --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
  local redis_pid=$!
  STARTED+=("$redis_pid")
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  for _ in 1 2; do
    if [ "$server" = switchboard ]; then
      start_server switchboard "$SERVER_CPU" --threads 1 --redis "redis://127.0.0.1:$port"
    else
      start_server node "$SERVER_CPU" --redis "redis://127.0.0.1:$port"
    fi
    urls+=(--url "$SERVER_URL")
    pids+=(--server-pid "$SERVER_PID")
  done
  record "$server" cluster "$rep" fanout "${urls[@]}" "${pids[@]}" --redis-pid "$redis_pid" --clients "$CLIENTS" \
    --publishers "$PUBLISHERS" --messages "$RATE_MESSAGES" --size "$SIZE" --rate "$RATE"
  for ((i = 1; i < ${#pids[@]}; i += 2)); do stop_pid "${pids[$i]}"; done
  stop_pid "$redis_pid"
}

# instructions SERVER: user-space instructions per delivery, counted by callgrind (this VM has no
# hardware counters for perf stat). The server runs two fanouts that differ only in the number of
# messages; the difference of the two counts cancels start-up and set-up.
instructions() {
  local server="$1" m line runs=() flags=()
  [ "$server" = switchboard ] && flags=(--threads 1)
  for m in $IR_MESSAGES; do
    WRAP=(valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$server.$m")
    START_TENTHS=600
    start_server "$server" "$SERVER_CPU" "${flags[@]+"${flags[@]}"}"
    WRAP=()
    START_TENTHS=100
    line="$(taskset -c "$LOADGEN_CPU" "$LOADGEN" fanout --url "$SERVER_URL" --clients "$IR_CLIENTS" --publishers 5 \
      --messages "$m" --size "$SIZE" --timeout 600 --drain-timeout 60 || true)"
    stop_pid "$SERVER_PID"  # callgrind writes its counts when the server exits
    [ -n "$line" ] || line='{"ok":false}'
    runs+=("$line" "$(sed -n 's/^summary: //p' "$WORK/callgrind.$server.$m")")
  done
  line="$(node -e '
    const [a, ia, b, ib] = process.argv.slice(1);
    const ra = JSON.parse(a), rb = JSON.parse(b);
    const ok = ra.ok && rb.ok && Number(ia) > 0 && Number(ib) > 0;
    const deliveries = rb.received - ra.received;
    console.log(JSON.stringify({ ok, tool: "callgrind", clients: ra.clients, deliveries,
      instructions: Number(ib) - Number(ia),
      instructions_per_delivery: ok ? (Number(ib) - Number(ia)) / deliveries : null }));' "${runs[@]}")"
  printf '{"server":"%s","case":"instructions","rep":1,"result":%s}\n' "$server" "$line" >>"$RESULTS"
  print_result "$line" "$server instructions"
}

has_case() { [[ " $CASES " == *" $1 "* ]]; }

echo "== $REPS repetitions; servers on CPU $SERVER_CPU, load generator on CPU $LOADGEN_CPU; results in $WORK"
# Other work on the machine disturbs wall-clock figures (CPU-seconds less so): say how busy it was.
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load average: $load_before"
for rep in $(seq "$REPS"); do
  echo "-- repetition $rep"
  for server in switchboard node; do
    if has_case fanout; then
      one_node "$server" fanout "$rep" -- fanout --clients "$CLIENTS" --publishers "$PUBLISHERS" \
        --messages "$MESSAGES" --size "$SIZE" --window "$WINDOW"
    fi
    if has_case rate; then
      one_node "$server" rate "$rep" -- fanout --clients "$CLIENTS" --publishers "$PUBLISHERS" \
        --messages "$RATE_MESSAGES" --size "$SIZE" --rate "$RATE"
    fi
    if has_case idle; then one_node "$server" idle "$rep" -- idle --clients "$CLIENTS" --hold "$HOLD"; fi
    if has_case connect; then
      one_node "$server" connect "$rep" -- connect --duration "$CONNECT_SECONDS" --concurrency "$CONCURRENCY"
    fi
    if has_case broadcast; then
      one_node "$server" broadcast "$rep" -- broadcast-all --clients "$BROADCAST_CLIENTS" --rounds 3
    fi
    if has_case cluster && command -v redis-server >/dev/null; then cluster "$server" "$rep"; fi
  done
  if has_case floor; then
    record_floor rate "$rep" rate --clients "$CLIENTS" --rate "$RATE" --messages "$RATE_MESSAGES"
    record_floor broadcast "$rep" burst --clients "$BROADCAST_CLIENTS" --rounds 3
  fi
  if has_case threads2; then
    one_node switchboard threads2 "$rep" -- fanout --clients "$CLIENTS" --publishers "$PUBLISHERS" \
      --messages "$MESSAGES" --size "$SIZE" --window "$WINDOW"
  fi
done

if has_case instructions && command -v valgrind >/dev/null; then
  echo "-- instructions per delivery (callgrind, once)"
  instructions switchboard
  instructions node
fi

# What the figures were measured with.
# SWITCHBOARD_COMMIT names the server's source when SWITCHBOARD points at a binary built elsewhere.
commit="${SWITCHBOARD_COMMIT:-$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')}"
cat >"$WORK/meta.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "switchboard_commit": "$commit",
  "node": "$(node --version)",
  "socket_io": "$(node -p 'require("./bench/peers/node_modules/socket.io/package.json").version')",
  "redis_adapter": "$(node -p 'require("./bench/peers/node_modules/@socket.io/redis-adapter/package.json").version')",
  "redis": "$(redis-server --version 2>/dev/null | sed -n 's/.*v=\([^ ]*\).*/\1/p')",
  "cpu": "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)",
  "cores": $(nproc),
  "kernel": "$(uname -r)",
  "load_average_before": "$load_before",
  "load_average_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "file_limit": $(ulimit -Hn),
  "settings": {"clients": $CLIENTS, "size": $SIZE, "publishers": $PUBLISHERS, "messages": $MESSAGES,
               "window": $WINDOW, "rate": $RATE, "rate_messages": $RATE_MESSAGES, "hold_s": $HOLD,
               "connect_seconds": $CONNECT_SECONDS, "concurrency": $CONCURRENCY,
               "broadcast_clients": $BROADCAST_CLIENTS, "reps": $REPS, "ir_clients": $IR_CLIENTS,
               "ir_messages": "$IR_MESSAGES"}
}
EOF
node bench/summarize.mjs "$RESULTS" "$WORK/meta.json" "$OUT_JSON" "$OUT_PNG"
