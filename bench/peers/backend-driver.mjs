// Drives Switchboard nodes for bench/backend.sh and prints one JSON line:
//   rpc:  --url URL --pids PID --clients N --seconds S
//         each client calls the RPC event `roll` (emitWithAck) in a loop; calls per second and the
//         node's CPU time per call.
//   emit: --url URL --users-on URL2 --pids PID1,PID2 --users N --concurrency C --seconds S
//         N users, each with one socket on the node at URL and one on URL2; POST /api/emit to a
//         user (round robin) from C concurrent requests; emits per second, deliveries, and both
//         nodes' CPU time per emit.
import { readFileSync } from "node:fs";
import http from "node:http";
import { io } from "socket.io-client";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const mode = process.argv[2];
const seconds = Number(arg("--seconds", "5"));
const pids = arg("--pids", "").split(",").filter(Boolean).map(Number);
const ticks = 100; // USER_HZ

function cpuSeconds() {
  let total = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    total += (Number(fields[11]) + Number(fields[12])) / ticks; // utime + stime
  }
  return total;
}

function connect(url, name) {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { name } });
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

async function main() {
  if (mode === "rpc") {
    const url = arg("--url");
    const clients = await Promise.all(
      Array.from({ length: Number(arg("--clients", "32")) }, (_, i) => connect(url, `u${i}`)),
    );
    let calls = 0;
    let running = true;
    const cpu0 = cpuSeconds();
    const t0 = Date.now();
    setTimeout(() => (running = false), seconds * 1000);
    await Promise.all(
      clients.map(async (s, i) => {
        while (running) {
          await s.emitWithAck("roll", i);
          calls++;
        }
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    for (const s of clients) s.close();
    console.log(JSON.stringify({ ok: true, mode, calls, calls_per_s: calls / elapsed, server_cpu_ms_per_call: (cpu * 1000) / calls }));
    return;
  }
  if (mode === "emit") {
    const [a, b] = [arg("--url"), arg("--users-on")];
    const users = Number(arg("--users", "100"));
    const sockets = [];
    let deliveries = 0;
    for (let i = 0; i < users; i++) {
      for (const url of [a, b]) {
        const s = await connect(url, `user${i}`);
        s.on("note", () => deliveries++);
        sockets.push(s);
      }
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(arg("--concurrency", "16")) });
    const target = new URL("/api/emit", a);
    const post = (user) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ to: { user }, event: "note", data: 1 });
        const req = http.request(target, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on("error", reject);
        req.end(body);
      });
    let emits = 0;
    let running = true;
    const cpu0 = cpuSeconds();
    const t0 = Date.now();
    setTimeout(() => (running = false), seconds * 1000);
    await Promise.all(
      Array.from({ length: Number(arg("--concurrency", "16")) }, async (_, w) => {
        let i = w;
        while (running) {
          await post(`user${i % users}`);
          emits++;
          i += 16;
        }
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last deliveries in flight
    for (const s of sockets) s.close();
    agent.destroy();
    console.log(
      JSON.stringify({ ok: true, mode, emits, emits_per_s: emits / elapsed, deliveries, expected_deliveries: emits * 2, server_cpu_ms_per_emit: (cpu * 1000) / emits }),
    );
    return;
  }
  throw new Error("usage: backend.mjs rpc|emit …");
}

main().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: err.message }));
  process.exit(1);
});
