// The part of bench/soak.sh's traffic that the native load generator does not make: connection
// churn with the official socket.io-client over all three ways of connecting (WebSocket only,
// HTTP long-polling only, polling upgraded to WebSocket), and HTTP API publishes.
//
//   node bench/soak_traffic.mjs --url URL [--url URL…] --duration S [--churn N] [--api-rate R]
//                               [--idle-room ROOM] [--out FILE]
//
// Churn: N loops, each over and over: connect (to the nodes in turn), `join` one of four rooms,
// send a `message` and wait for its ack and for the broadcast of it to come back, disconnect,
// pause 100 ms. API: R `POST /api/publish` per second to the idle room, the churn rooms and, every
// fifth, to every client of `/` (no room), to the nodes in turn. At the end it writes one JSON
// object of counts to --out (or stdout): cycles per transport, failures with the first few
// reasons, API answers per status. Stops early on SIGTERM or SIGINT, after the cycles in flight.

import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { io } = createRequire(path.join(here, "../tests/package.json"))("socket.io-client");

function parseArgs(argv) {
  const o = { urls: [], duration: 60, churn: 6, apiRate: 10, idleRoom: "soak-idle", out: "" };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "--url": o.urls.push(v); i++; break;
      case "--duration": o.duration = Number(v); i++; break;
      case "--churn": o.churn = Number(v); i++; break;
      case "--api-rate": o.apiRate = Number(v); i++; break;
      case "--idle-room": o.idleRoom = v; i++; break;
      case "--out": o.out = v; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (o.urls.length === 0) throw new Error("--url is required");
  return o;
}

const o = parseArgs(process.argv.slice(2));
const deadline = Date.now() + o.duration * 1000;
let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => { stopping = true; });
const running = () => !stopping && Date.now() < deadline;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const KINDS = [
  { name: "websocket", opts: { transports: ["websocket"] } },
  { name: "polling", opts: { transports: ["polling"] } },
  { name: "upgrade", opts: { transports: ["polling", "websocket"] } },
];
const CHURN_ROOMS = ["soak-churn-0", "soak-churn-1", "soak-churn-2", "soak-churn-3"];
const STEP_MS = 10_000; // bound on every wait of a cycle

const counts = {
  cycles: Object.fromEntries(KINDS.map((k) => [k.name, 0])),
  failures: 0,
  failure_reasons: {},
  api: { sent: 0, by_status: {} },
};

function fail(reason) {
  counts.failures++;
  counts.failure_reasons[reason] = (counts.failure_reasons[reason] ?? 0) + 1;
}

function within(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), STEP_MS); }),
  ]).finally(() => clearTimeout(timer));
}

// One connect → join → message (ack and echo) → disconnect.
async function cycle(loop, n) {
  const kind = KINDS[loop % KINDS.length];
  const url = o.urls[(loop + n) % o.urls.length];
  const room = CHURN_ROOMS[(loop + n) % CHURN_ROOMS.length];
  const socket = io(url, { ...kind.opts, auth: { name: `churn-${loop}` }, reconnection: false, forceNew: true, timeout: STEP_MS });
  try {
    await within(new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", (err) => reject(new Error(`connect_error: ${err.message}`)));
    }), "connect");
    const joined = await within(socket.timeout(STEP_MS).emitWithAck("join", room), "join ack");
    if (!joined?.ok) throw new Error(`join refused: ${joined?.error}`);
    const text = `churn ${loop}:${n}`;
    const echoed = new Promise((resolve) => {
      socket.on("message", (m) => { if (m?.text === text) resolve(); });
    });
    const sent = await within(socket.timeout(STEP_MS).emitWithAck("message", { room, text }), "message ack");
    if (!sent?.ok) throw new Error(`message refused: ${sent?.error}`);
    await within(echoed, "own message back");
    counts.cycles[kind.name]++;
  } catch (err) {
    fail(`${kind.name}: ${err.message}`);
  } finally {
    socket.disconnect();
  }
}

async function churnLoop(loop) {
  for (let n = 0; running(); n++) {
    await cycle(loop, n);
    await sleep(100);
  }
}

async function apiLoop() {
  const period = 1000 / o.apiRate;
  const start = Date.now();
  for (let n = 0; running(); n++) {
    const url = o.urls[n % o.urls.length];
    const body = { event: "news", data: { n, at: Date.now() } };
    if (n % 5 !== 4) body.room = n % 5 === 0 ? o.idleRoom : CHURN_ROOMS[n % CHURN_ROOMS.length];
    let status = "error";
    try {
      const res = await fetch(`${url}/api/publish`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(STEP_MS),
      });
      await res.arrayBuffer();
      status = String(res.status);
    } catch (err) {
      status = `error: ${err.name}`;
    }
    counts.api.sent++;
    counts.api.by_status[status] = (counts.api.by_status[status] ?? 0) + 1;
    const due = start + (n + 1) * period;
    await sleep(Math.max(0, due - Date.now()));
  }
}

await Promise.all([apiLoop(), ...Array.from({ length: o.churn }, (_, i) => churnLoop(i))]);
const reasons = Object.entries(counts.failure_reasons).sort((a, b) => b[1] - a[1]).slice(0, 5);
counts.failure_reasons = Object.fromEntries(reasons);
counts.cycles_total = Object.values(counts.cycles).reduce((a, b) => a + b, 0);
counts.ok = counts.failures === 0 && Object.keys(counts.api.by_status).every((s) => s === "200");
const line = JSON.stringify(counts);
if (o.out) writeFileSync(o.out, line + "\n");
else console.log(line);
