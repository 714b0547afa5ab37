#!/usr/bin/env bash
# Handshakes per second by identity mode, side by side with the Node.js peer in one run: the
# loadgen's connect scenario (TCP, WebSocket upgrade, Engine.IO open, CONNECT with auth, close)
# against Switchboard in open mode (auth {name}), with an HS256 token (--jwt-secret) and with an
# RS256 token (--jwt-public-key), with the connect hook (--auth-hook) against a backend that answers
# each request after 1 ms (bench/peers/hook-backend.mjs, on the loadgen's CPU), and the Node peer
# (no identity check), each pinned to
# $SERVER_CPU, a fresh process per measurement, $REPS repetitions, medians. The figures go into
# docs/BENCHMARKS.md ("Handshakes by identity mode").
#   CONNECT_SECONDS CONCURRENCY REPS BUILD_DIR SERVER_CPU LOADGEN_CPU; NO_BUILD=1 SWITCHBOARD=… LOADGEN=…
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/bench}"
CONNECT_SECONDS="${CONNECT_SECONDS:-5}"
CONCURRENCY="${CONCURRENCY:-64}"
REPS="${REPS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
LOADGEN_CPU="${LOADGEN_CPU:-1}"
SWITCHBOARD="${SWITCHBOARD:-$BUILD_DIR/src/server/switchboard}"
LOADGEN="${LOADGEN:-$BUILD_DIR/bench/loadgen/loadgen}"
PEER="$ROOT/bench/peers/node-server.mjs"

if [ -z "${NO_BUILD:-}" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] ||
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHBOARD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" --target switchboard loadgen -j 2 >/dev/null
fi
(cd "$ROOT/bench/peers" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/switchboard-handshakes.XXXXXX)"
source "$ROOT/bench/lib.sh"
trap 'bench_cleanup; rm -rf "$WORK"' EXIT

# Keys and tokens, made with node:crypto as an identity provider would (an hour of validity).
SECRET="bench-secret-$RANDOM"
read -r HS_TOKEN RS_TOKEN < <(node -e '
  const c = require("node:crypto"), fs = require("node:fs");
  const b = (s) => Buffer.from(s).toString("base64url");
  const claims = b(JSON.stringify({ sub: "bench", exp: Math.floor(Date.now() / 1000) + 3600 }));
  const hs = `${b(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${claims}`;
  const rs = `${b(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${claims}`;
  const { publicKey, privateKey } = c.generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(process.argv[2], publicKey.export({ type: "spki", format: "pem" }));
  console.log(`${hs}.${c.createHmac("sha256", process.argv[1]).update(hs).digest("base64url")}`,
              `${rs}.${c.sign("sha256", Buffer.from(rs), privateKey).toString("base64url")}`);
' "$SECRET" "$WORK/rsa.pem")

# The backend of the connect hook: 1 ms per answer, on the loadgen's core.
taskset -c "$LOADGEN_CPU" node "$ROOT/bench/peers/hook-backend.mjs" --port 0 --delay-ms 1 >"$WORK/backend.out" &
BACKEND_PID=$!
STARTED+=("$BACKEND_PID")
for _ in $(seq 100); do
  BACKEND_URL="$(sed -n 's/^listening on //p' "$WORK/backend.out")"
  [ -n "$BACKEND_URL" ] && break
  sleep 0.1
done
[ -n "$BACKEND_URL" ] || { echo "the hook backend did not start" >&2; exit 1; }

RESULTS="$WORK/results.jsonl"
# measure LABEL KIND [server flags…] -- [loadgen flags…]
measure() {
  local label="$1" kind="$2"
  shift 2
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  if [ "$kind" = switchboard ]; then start_server switchboard "$SERVER_CPU" --threads 1 "${flags[@]+"${flags[@]}"}"
  else start_server node "$SERVER_CPU"; fi
  local line
  line="$(taskset -c "$LOADGEN_CPU" "$LOADGEN" connect --url "$SERVER_URL" --duration "$CONNECT_SECONDS" \
            --concurrency "$CONCURRENCY" --server-pid "$SERVER_PID" "$@" || true)"
  stop_pid "$SERVER_PID"
  [ -n "$line" ] || line='{"ok":false,"error":"loadgen printed nothing"}'
  printf '{"label":"%s","result":%s}\n' "$label" "$line" >>"$RESULTS"
  print_result "$line" "$label"
}

for rep in $(seq "$REPS"); do
  echo "== repetition $rep of $REPS"
  measure "switchboard open" switchboard --
  measure "switchboard HS256" switchboard --jwt-secret "$SECRET" -- --token "$HS_TOKEN"
  measure "switchboard RS256" switchboard --jwt-public-key "$WORK/rsa.pem" -- --token "$RS_TOKEN"
  measure "switchboard auth hook" switchboard --auth-hook "$BACKEND_URL/connect" --hook-secret "$SECRET" --
  measure "node (no check)" node --
done

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const by = new Map();
  for (const { label, result } of lines) {
    if (!result.ok) { console.log(`${label}: failed: ${result.error}`); continue; }
    if (!by.has(label)) by.set(label, []);
    by.get(label).push(result);
  }
  const node = by.get("node (no check)");
  const nodeRate = node ? median(node.map((r) => r.handshakes_per_s)) : undefined;
  console.log("| server | handshakes/s | server CPU ms per handshake | × Node |");
  console.log("|---|---:|---:|---:|");
  for (const [label, rs] of by) {
    const rate = median(rs.map((r) => r.handshakes_per_s));
    const cpu = median(rs.map((r) => r.server_cpu_ms_per_handshake ?? NaN));
    console.log(`| ${label} | ${Math.round(rate).toLocaleString("en")} | ${cpu.toFixed(3)} | ${nodeRate ? (rate / nodeRate).toFixed(2) : ""} |`);
  }
' "$RESULTS"
