# Shared by bench/run.sh and bench/smoke.sh (sourced, not run): starting and stopping the servers
# under test. Expects SWITCHBOARD, PEER and WORK to be set. bench/soak.sh uses its STARTED and
# free_port. Only processes started here are ever
# stopped, by their PID.

STARTED=()
WRAP=()            # a command the server runs under, e.g. valgrind
START_TENTHS=100   # tenths of a second a server may take to print its listening line

bench_cleanup() {
  local pid
  for pid in "${STARTED[@]+"${STARTED[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# start_server KIND CPUS [extra flags…]: a fresh Switchboard (in-memory history, no rate limits) or
# Node peer on a free port, pinned to CPUS ("" for no pinning); sets SERVER_PID and SERVER_URL from
# its `listening on` line. Connection state recovery is off in Switchboard, as in the Node peer
# (whose Redis adapter has none): like for like.
start_server() {
  local kind="$1" cpus="$2"
  shift 2
  local out="$WORK/server.$RANDOM.out" pin=()
  [ -n "$cpus" ] && pin=(taskset -c "$cpus")
  case "$kind" in
    switchboard)
      rm -rf "$WORK/data" && mkdir -p "$WORK/data"
      "${pin[@]+"${pin[@]}"}" "${WRAP[@]+"${WRAP[@]}"}" "$SWITCHBOARD" --host 127.0.0.1 --port 0 --storage memory --drain-time 0 --rate-limit 0 --event-rate-limit 0 \
        --api-rate-limit 0 --recovery-window 0 --max-connections 0 --max-waiting-per-address 0 --log-level warn --data-dir "$WORK/data" "$@" >"$out" 2>"$out.err" &
      ;;
    node) "${pin[@]+"${pin[@]}"}" "${WRAP[@]+"${WRAP[@]}"}" node "$PEER" --host 127.0.0.1 --port 0 "$@" >"$out" 2>"$out.err" & ;;
  esac
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  local _
  for _ in $(seq "$START_TENTHS"); do
    SERVER_URL="$(sed -n 's/^listening on //p' "$out")"
    [ -n "$SERVER_URL" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "$kind did not start:" >&2
  cat "$out.err" >&2
  return 1
}

# Stops one process this script started and forgets it.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local rest=() pid
  for pid in "${STARTED[@]}"; do [ "$pid" = "$1" ] || rest+=("$pid"); done
  STARTED=("${rest[@]+"${rest[@]}"}")
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# One line per loadgen result: the figures a reader looks for first.
print_result() {
  node -e 'const r=JSON.parse(process.argv[1]);const f=(k)=>r[k]===undefined?"":` ${k}=${typeof r[k]=="number"?+r[k].toFixed(3):JSON.stringify(r[k])}`;
    console.log(`   ${process.argv[2].padEnd(24)} ok=${r.ok}`+["deliveries_per_s","server_cpu_s_per_million","rss_per_client_kib","handshakes_per_s","last_ms_median","lost","duplicated","out_of_order","loadgen_cpu_pct","error"].map(f).join("")+(r.latency_ms?` p99_ms=${r.latency_ms.p99}`:""))' \
    "$1" "$2"
}
