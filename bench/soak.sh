#!/usr/bin/env bash
# Soak: two Switchboard nodes joined through Redis under mixed traffic for SECONDS (default 600;
# about a minute more in all for the set-up and the end), sampling every 5 s what must stay flat — each node's RSS, open file descriptors, threads,
# connections and the bytes queued on its sockets — then a verdict, one JSON line and a plot.
# Not a test and not in CI: it is the check that nothing grows under a long, varied load.
#
#   bench/soak.sh [SECONDS]
#
# Traffic, for the whole run, spread over both nodes:
#   - IDLE_CLIENTS (2000) clients of `loadgen idle`, connected and in the room soak-idle throughout;
#   - `loadgen fanout` at FANOUT_RATE (100) messages/s from FANOUT_PUBLISHERS (20) of
#     FANOUT_CLIENTS (200) clients in one room, in rounds of FANOUT_ROUND (30) s, each round a fresh
#     set of clients; every message must reach every client once and in order;
#   - `loadgen connect` for CONNECT_SECONDS (2) every CONNECT_EVERY (20) s: handshakes at full speed
#     with CONNECT_CONCURRENCY (4) in progress;
#   - bench/soak_traffic.mjs: CHURN (4) loops of socket.io-client connect → join → message →
#     disconnect, over WebSocket, HTTP long-polling and polling upgraded to WebSocket, and API_RATE
#     (10) `POST /api/publish` per second (a fifth of them to every client).
# The servers run with their defaults (rate limits, 120 s recovery window, history in Redis) but
# for the address, port, node id, data folder, log level and --drain-time 0. NODES=1 runs one node
# and no Redis (history in SQLite).
#
# Writes into RESULTS (default bench/results/soak-<UTC date>): samples.csv, after.csv (one sample
# once every client has left), the JSON lines of every loadgen run, the servers' logs, summary.json and soak.png. Binaries from BUILD_DIR (default
# build/release; build it first), or SWITCHBOARD= and LOADGEN=. Needs node (with tests/
# node_modules), curl, ss, redis-server for two nodes, and gnuplot (installed with apt-get when
# missing and run as root).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

DURATION="${1:-600}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
SWITCHBOARD="${SWITCHBOARD:-$BUILD_DIR/src/server/switchboard}"
LOADGEN="${LOADGEN:-$BUILD_DIR/bench/loadgen/loadgen}"
NODES="${NODES:-2}"
INTERVAL="${INTERVAL:-5}"
IDLE_CLIENTS="${IDLE_CLIENTS:-2000}"
FANOUT_CLIENTS="${FANOUT_CLIENTS:-200}"
FANOUT_PUBLISHERS="${FANOUT_PUBLISHERS:-20}"
FANOUT_RATE="${FANOUT_RATE:-100}"
FANOUT_ROUND="${FANOUT_ROUND:-30}"
CONNECT_EVERY="${CONNECT_EVERY:-20}"
CONNECT_SECONDS="${CONNECT_SECONDS:-2}"
CONNECT_CONCURRENCY="${CONNECT_CONCURRENCY:-4}"
CHURN="${CHURN:-4}"
API_RATE="${API_RATE:-10}"
RESULTS="${RESULTS:-$ROOT/bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)}"

if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 60 ]; then
  echo "usage: bench/soak.sh [SECONDS ≥ 60]" >&2
  exit 2
fi
[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || { echo "INTERVAL must be whole seconds" >&2; exit 2; }
[ "$NODES" = 1 ] || [ "$NODES" = 2 ] || { echo "NODES must be 1 or 2" >&2; exit 2; }
for binary in "$SWITCHBOARD" "$LOADGEN"; do
  [ -x "$binary" ] || { echo "missing $binary: build first (cmake --build --preset release)" >&2; exit 1; }
done
# need COMMAND PACKAGE: installs the Debian package when the command is missing and we may.
need() {
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing $2"
    apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
  fi
  command -v "$1" >/dev/null || { echo "missing $1: apt-get install -y $2" >&2; exit 1; }
}
need gnuplot gnuplot-nox
need curl curl
need ss iproute2
if [ "$NODES" = 2 ]; then need redis-server redis-server; fi
(cd tests && { [ -d node_modules/socket.io-client ] || npm ci --no-audit --no-fund --loglevel=error; })

ulimit -n "$(ulimit -Hn)"
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/switchboard-soak.XXXXXX)"
CSV="$RESULTS/samples.csv"

# free_port; and STARTED: everything this script starts, in order, stopped here in reverse order
# (traffic before servers before Redis), each by its PID.
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cleanup() {
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    kill "${STARTED[$i]}" 2>/dev/null || true
    wait "${STARTED[$i]}" 2>/dev/null || true
  done
  STARTED=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "interrupted: stopping everything" >&2; exit 130' INT TERM

now() { echo "${EPOCHREALTIME/,/.}"; }
# Seconds (float) from now until the epoch time $1.
left() { awk -v d="$1" -v n="$(now)" 'BEGIN { printf "%.1f", d - n }'; }
# True while there are more than $2 seconds before the epoch time $1.
before() { awk -v d="$1" -v n="$(now)" -v m="$2" 'BEGIN { exit !(d - n > m) }'; }

REDIS_PID="" REDIS_PORT=""
if [ "$NODES" = 2 ]; then
  REDIS_PORT="$(free_port)"
  mkdir -p "$WORK/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --save '' --appendonly no \
    >"$RESULTS/redis.log" 2>&1 &
  REDIS_PID=$!
  STARTED+=("$REDIS_PID")
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "redis-server did not start" >&2; exit 1; }
fi

NODE_PIDS=() NODE_PORTS=() URLS=()
for n in $(seq "$NODES"); do
  mkdir -p "$WORK/data$n"
  cluster=()
  [ "$NODES" = 2 ] && cluster=(--redis "redis://127.0.0.1:$REDIS_PORT")
  "$SWITCHBOARD" --host 127.0.0.1 --port 0 --node-id "soak-$n" --data-dir "$WORK/data$n" --log-level warn \
    --drain-time 0 "${cluster[@]+"${cluster[@]}"}" >"$RESULTS/node$n.out" 2>"$RESULTS/node$n.log" &
  pid=$!
  STARTED+=("$pid")
  url=""
  for _ in $(seq 100); do
    url="$(sed -n 's/^listening on //p' "$RESULTS/node$n.out")"
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "node $n did not start:" >&2; cat "$RESULTS/node$n.log" >&2; exit 1; }
  NODE_PIDS+=("$pid")
  NODE_PORTS+=("${url##*:}")
  URLS+=(--url "$url")
done

# sample_process T NAME PID PORT: one CSV row of what /proc, ss and /metrics say about one process.
CSV_HEADER="time_s,process,rss_kib,fds,threads,ws_connections,polling_connections,sockets,send_q_bytes,recv_q_bytes"
CSV_HEADER+=",loop_lag_ms,packets_out_total,chat_messages_total,api_requests_total,slow_consumer_disconnects_total"
CSV_HEADER+=",dropped_packets_total,rate_limited_total,redis_used_memory_kib,redis_output_buffers_bytes"
sample_process() {
  local t="$1" name="$2" pid="$3" port="$4" rss threads fds queues conns="" counters="" redis=""
  rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || return 0
  threads="$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || return 0
  fds="$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  # Bytes in the kernel's socket buffers on the listening address: Send-Q not yet acknowledged by
  # the peer, Recv-Q not yet read by the process.
  queues="$(ss -Htn state established src "127.0.0.1:$port" | awk '{ r += $1; s += $2 } END { print s + 0 "," r + 0 }')"
  if [ "$name" = redis ]; then
    conns=",,"
    counters=",,,,,,"
    redis="$(redis-cli -p "$port" info memory | awk -F: '/^used_memory:/ { printf "%d", $2 / 1024 }'),"
    redis+="$(redis-cli -p "$port" client list | grep -o 'omem=[0-9]*' | awk -F= '{ s += $2 } END { print s + 0 }')"
  else
    local m
    m="$(curl -s -m 2 "http://127.0.0.1:$port/metrics" | awk '
      { v[$1] = $2 }
      END {
        if (NR == 0) { print ",,|,,,,,,"; exit }  # no answer: empty fields, not zeros
        printf "%s,%s,%s|%.3f,%s,%s,%s,%s,%s,%s", v["switchboard_connections{transport=\"websocket\"}"],
          v["switchboard_connections{transport=\"polling\"}"], v["switchboard_sockets"],
          v["switchboard_event_loop_lag_seconds"] * 1000, v["switchboard_packets_out_total"],
          v["switchboard_chat_messages_total"], v["switchboard_api_requests_total"],
          v["switchboard_slow_consumer_disconnects_total"], v["switchboard_dropped_packets_total"],
          v["switchboard_rate_limited_total"]
      }')" || m=",,|,,,,,,"
    conns="${m%%|*}"
    counters="${m#*|}"
    redis=","
  fi
  echo "$t,$name,$rss,$fds,$threads,$conns,$queues,$counters,$redis"
}

sample_all() {
  local t="$1" i
  for i in "${!NODE_PIDS[@]}"; do sample_process "$t" "node$((i + 1))" "${NODE_PIDS[$i]}" "${NODE_PORTS[$i]}"; done
  if [ -n "$REDIS_PID" ]; then sample_process "$t" redis "$REDIS_PID" "$REDIS_PORT"; fi
}

# Traffic loops and the sampler. Each runs its loadgen or sleep as a child and, on TERM, stops
# that child before leaving.
fanout_rounds() {
  local child="" messages
  trap 'kill "$child" 2>/dev/null; exit 0' TERM
  # The last round may be short, so that one is still running at the last sample.
  while before "$TRAFFIC_END" 8; do
    messages="$(awk -v l="$(left "$TRAFFIC_END")" -v r="$FANOUT_RATE" -v s="$FANOUT_ROUND" \
      'BEGIN { t = l - 5; if (t > s) t = s; printf "%d", t * r }')"
    "$LOADGEN" fanout "${URLS[@]}" --clients "$FANOUT_CLIENTS" --publishers "$FANOUT_PUBLISHERS" \
      --messages "$messages" --rate "$FANOUT_RATE" --size 100 --room soak-fanout --drain-timeout 10 \
      >>"$RESULTS/fanout.jsonl" 2>>"$RESULTS/loadgen.err" &
    child=$!
    wait "$child" || true
  done
}

connect_bursts() {
  local child="" next
  trap 'kill "$child" 2>/dev/null; exit 0' TERM
  next="$(now)"
  while before "$TRAFFIC_END" "$CONNECT_SECONDS"; do
    sleep "$(left "$next")" 2>/dev/null &
    child=$!
    wait "$child" || true
    next="$(awk -v n="$(now)" -v e="$CONNECT_EVERY" 'BEGIN { printf "%.6f", n + e }')"
    "$LOADGEN" connect "${URLS[@]}" --duration "$CONNECT_SECONDS" --concurrency "$CONNECT_CONCURRENCY" \
      >>"$RESULTS/connect.jsonl" 2>>"$RESULTS/loadgen.err" &
    child=$!
    wait "$child" || true
  done
}

# sampler: a row per process every INTERVAL s after T0 until DURATION s have passed.
sampler() {
  local k=1 due t child="" every=$((INTERVAL < 60 ? 60 / INTERVAL : 1))  # a progress line about every minute
  trap 'kill "$child" 2>/dev/null; exit 0' TERM
  while :; do
    due="$(awk -v t="$T0" -v k="$k" -v i="$INTERVAL" 'BEGIN { printf "%.6f", t + k * i }')"
    sleep "$(left "$due")" 2>/dev/null &
    child=$!
    wait "$child" || true
    t="$(awk -v n="$(now)" -v t="$T0" 'BEGIN { printf "%.1f", n - t }')"
    sample_all "$t" >>"$CSV"
    if ((k % every == 0)); then
      awk -F, -v t="$t" '$1 == t && $2 != "redis" {
        printf "   t=%ss %s rss=%d KiB fds=%d connections=%d\n", t, $2, $3, $4, $6 + $7 }' "$CSV"
    fi
    awk -v d="$DURATION" -v t="$t" 'BEGIN { exit !(t + 0.5 >= d) }' && return 0
    k=$((k + 1))
  done
}

connections() {
  local port total=0 n
  for port in "${NODE_PORTS[@]}"; do
    n="$(curl -s -m 2 "http://127.0.0.1:$port/metrics" | awk '/^switchboard_connections/ { s += $2 } END { print s + 0 }')"
    total=$((total + n))
  done
  echo "$total"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== soak: $DURATION s, $NODES node(s)${REDIS_PID:+ + Redis}, sampling every $INTERVAL s; results in $RESULTS"
echo "load average: $LOAD_BEFORE"
echo "$CSV_HEADER" >"$CSV"
T0="$(now)"
DEADLINE="$(awk -v t="$T0" -v d="$DURATION" 'BEGIN { printf "%.6f", t + d }')"
# The traffic goes on a little past the last sample, so that every sample has all of it.
TRAFFIC_END="$(awk -v t="$DEADLINE" 'BEGIN { printf "%.6f", t + 10 }')"
sample_all 0.0 >>"$CSV"  # before any client
sampler &
SAMPLER_PID=$!
STARTED+=("$SAMPLER_PID")

# The idle clients come first and stay past the end of the traffic, so that their own report
# (disconnects while held) covers the whole run.
"$LOADGEN" idle "${URLS[@]}" --clients "$IDLE_CLIENTS" --room soak-idle --hold "$((DURATION + 15))" --timeout 150 \
  >"$RESULTS/idle.json" 2>>"$RESULTS/loadgen.err" &
IDLE_PID=$!
STARTED+=("$IDLE_PID")
for _ in $(seq 1500); do
  [ "$(connections)" -ge "$IDLE_CLIENTS" ] && break
  kill -0 "$IDLE_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$(connections)" -lt "$IDLE_CLIENTS" ]; then
  echo "the $IDLE_CLIENTS idle clients did not connect:" >&2
  cat "$RESULTS/idle.json" >&2
  exit 1
fi
echo "   $IDLE_CLIENTS idle clients connected after $(awk -v n="$(now)" -v t="$T0" 'BEGIN { printf "%.1f", n - t }') s; starting the rest"
fanout_rounds &
STARTED+=("$!")
connect_bursts &
STARTED+=("$!")
node bench/soak_traffic.mjs "${URLS[@]}" --duration "$(left "$TRAFFIC_END")" --churn "$CHURN" --api-rate "$API_RATE" \
  --out "$RESULTS/traffic.json" 2>>"$RESULTS/traffic.err" &
STARTED+=("$!")

wait "$SAMPLER_PID"
echo "== sampling done; waiting for the generators' reports"
for pid in "${STARTED[@]}"; do
  [ "$pid" = "$REDIS_PID" ] && continue
  for n in "${!NODE_PIDS[@]}"; do [ "$pid" = "${NODE_PIDS[$n]}" ] && continue 2; done
  # Bounded: the idle clients' hold ends 15 s + their set-up after the last sample; their leaving
  # (a presence broadcast each) takes a while more.
  for _ in $(seq 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done

# Once every client has gone, what is left: descriptors should be back where they started, and
# memory where the allocator keeps it. The heap trimmer gives free pages back after one quiet 2 s
# period; 10 s is enough for it and for the last presence broadcasts to pass through Redis.
for _ in $(seq 600); do [ "$(connections)" -eq 0 ] && break; sleep 0.1; done
sleep 10
echo "$CSV_HEADER" >"$RESULTS/after.csv"
sample_all "$(awk -v n="$(now)" -v t="$T0" 'BEGIN { printf "%.1f", n - t }')" >>"$RESULTS/after.csv"

# SWITCHBOARD_COMMIT names the server's source when SWITCHBOARD points at a binary built elsewhere.
COMMIT="${SWITCHBOARD_COMMIT:-$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')}"
node bench/soak_summary.mjs "$RESULTS" "$DURATION" "$RESULTS/soak.png" "$(
  cat <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "duration_s": $DURATION, "nodes": $NODES,
 "switchboard_commit": "$COMMIT",
 "redis": "$(redis-server --version 2>/dev/null | sed -n 's/.*v=\([^ ]*\).*/\1/p')",
 "cpu": "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)", "cores": $(nproc), "kernel": "$(uname -r)",
 "load_average_before": "$LOAD_BEFORE", "load_average_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "settings": {"interval_s": $INTERVAL, "idle_clients": $IDLE_CLIENTS, "fanout_clients": $FANOUT_CLIENTS,
   "fanout_publishers": $FANOUT_PUBLISHERS, "fanout_rate": $FANOUT_RATE, "fanout_round_s": $FANOUT_ROUND,
   "connect_every_s": $CONNECT_EVERY, "connect_seconds": $CONNECT_SECONDS,
   "connect_concurrency": $CONNECT_CONCURRENCY, "churn_loops": $CHURN, "api_rate": $API_RATE}}
EOF
)"
