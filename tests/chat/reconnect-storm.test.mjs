// Reconnect storm: 5,000 official Socket.IO clients are connected to one node when it is killed
// (SIGKILL, a crash) and started again on the same port and --data-dir. Every client's own
// reconnection (its backoff with jitter) brings it back at about the same moment: all of them are
// connected again within a bound, the admission limit (--connect-rate) refuses part of the storm
// with 429 + Retry-After and the clients retry, and the restarted node's memory and CPU stay
// bounded. A room works afterwards.
//
// The client side is this one Node process. The clients use `transports: ["websocket"]`: one TCP
// connection and one request per attempt instead of polling's several, which keeps 5,000 clients
// within what a single Node thread can drive on a small machine; the admission path is the same
// (the WebSocket upgrade of a new session is a handshake without `sid`).
//
// Under a sanitizer build the storm is scaled down to 300 clients (the limit with it, so that the
// storm still lasts about as long as the limit makes it), and the memory and CPU bounds are not
// asserted: they would measure the sanitizer (shadow memory, quarantine, instrumentation).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { test } from "node:test";
import { freePort } from "../lib/server-process.mjs";
import {
  closeAllClients,
  connectUser,
  freshDataDir,
  join,
  metric,
  send,
  serverBinary,
  startChat,
  uniqueRoom,
  WAIT,
  withTimeout,
} from "./chat-harness.mjs";

const SANITIZED = serverBinary().includes("/asan/") || serverBinary().includes("/tsan/");
const CLIENTS = SANITIZED ? 300 : 5000;
// New sessions the node admits: a burst of a tenth of the clients, then a fifth of them per
// second. The storm (every client within about half a second) is several times that, so most
// first attempts are refused and the storm is spread over at least 5 s of refill.
const CONNECT_RATE = `${CLIENTS / 5}:${CLIENTS / 10}`;
const ARGS = ["--connect-rate", CONNECT_RATE, "--threads", "2"];
const BATCH = CLIENTS / 20; // the first connect is ramped up in batches: it is not the test
const RAMP_WAIT = 20000; // bound for one batch to connect
// Bound for the whole storm: a bound on a wait, not a benchmark. Measured 14-21 s on a loaded
// 2-core machine (11.5 s without the limit: then this Node process is what spreads the storm).
const RECONNECT_BOUND = 60000;
// The official client's backoff (it does not read Retry-After): 500 ms ± 50 %, doubling up to 5 s.
const RECONNECT_OPTIONS = {
  reconnection: true,
  reconnectionDelay: 500,
  reconnectionDelayMax: 5000,
  randomizationFactor: 0.5,
  timeout: 20000, // the client's default handshake timeout: a slow answer is not abandoned early
};
// Bounds on the restarted node (unsanitized build, --threads 2), derived from measurements on a
// 2-core machine: the idle node 10.8 MiB of RSS, 32.7 MiB with 5,000 clients connected (4.4 KiB
// each), a peak (VmHWM) of 33.4-33.6 MiB after the storm, and 1.6-1.9 s of CPU from listening to
// the last reconnect. The bounds leave about twice the memory and five times the CPU: they catch a
// storm that piles up refused or half-open sessions, or a node that spins while refusing.
const RSS_BOUND_MIB = 16 + (CLIENTS * 10) / 1024; // 64.8 MiB for 5,000 clients
const CPU_BOUND_SECONDS = CLIENTS * 0.002; // 10 s for 5,000 clients

const HARD_FILE_LIMIT = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1]);
const FILES_NEEDED = 2 * CLIENTS + 2000; // both ends on this machine, and a margin
const SKIP =
  HARD_FILE_LIMIT < FILES_NEEDED
    ? `the hard limit of open files (${HARD_FILE_LIMIT}, ulimit -Hn) is below the ${FILES_NEEDED} this test needs`
    : false;

// /proc/PID/status field in KiB (VmRSS, VmHWM).
function statusKib(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  assert.ok(m, `no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100; // USER_HZ on Linux
  }
})();

// User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15).
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / CLOCK_TICKS;
}

// Counts events across many sockets; until() waits (bounded) for the count to reach a target.
class Tally {
  constructor() {
    this.count = 0;
    this.waiters = [];
  }
  add() {
    this.count++;
    this.waiters = this.waiters.filter((w) => (this.count >= w.target ? (w.resolve(), false) : true));
  }
  until(target, ms, what) {
    if (this.count >= target) return Promise.resolve();
    return withTimeout(new Promise((resolve) => this.waiters.push({ target, resolve })), ms, what).catch((err) => {
      err.message += ` (${this.count} of ${target})`;
      throw err;
    });
  }
}

// What the clients that are not back yet went through, for a failure message.
function stragglers(clients, connects) {
  const behind = clients.filter((c) => c.connects < connects);
  const sample = behind.slice(0, 5).map((c) => ({
    name: c.log.name,
    connected: c.connected,
    connects: c.connects,
    disconnect: c.disconnectReason,
    attempts: c.attempts,
    lastError: c.lastError,
  }));
  return `${behind.length} clients not back, e.g. ${JSON.stringify(sample)}`;
}

test(
  `${CLIENTS} clients reconnect by themselves after the node is killed and restarted (--connect-rate ${CONNECT_RATE})`,
  { skip: SKIP, timeout: 150000 },
  async () => {
    const dataDir = freshDataDir();
    const port = await freePort(); // the restart must be found where the clients left it
    let server;
    const clients = [];
    try {
      server = await startChat(ARGS, { dataDir, port });
      const connected = new Tally(); // first connects
      const reconnected = new Tally(); // second connects: back after the restart
      const disconnected = new Tally();

      const t0 = Date.now();
      for (let i = 0; i < CLIENTS; i += BATCH) {
        for (let j = i; j < i + BATCH; j++) {
          const c = connectUser(server, `u${j}`, RECONNECT_OPTIONS);
          c.connects = 0;
          c.attempts = 0;
          c.on("connect", () => {
            c.connects++;
            (c.connects === 1 ? connected : reconnected).add();
          });
          c.on("disconnect", (reason) => {
            c.disconnectReason = reason;
            disconnected.add();
          });
          c.on("connect_error", (err) => {
            c.lastError = `${err.message} ${String(err.description?.message ?? err.description ?? "")}`;
          });
          c.io.on("reconnect_attempt", (n) => (c.attempts = n));
          clients.push(c);
        }
        await connected.until(clients.length, RAMP_WAIT, `clients ${i}..${clients.length - 1} to connect`);
      }
      const rampSeconds = (Date.now() - t0) / 1000;
      const steadyRssKib = statusKib(server.pid, "VmRSS");
      const before = { refused: await metric(server, "switchboard_connections_refused_total") };

      // The crash: SIGKILL. stop() then only reaps it (its SIGTERM finds the process gone).
      const killed = server;
      server = undefined;
      killed.signal("SIGKILL");
      assert.deepEqual(await killed.stop(), { code: null, signal: "SIGKILL" });
      server = await startChat(ARGS, { dataDir, port });
      const restartedAt = Date.now();
      const cpuAtStart = cpuSeconds(server.pid);

      await reconnected.until(CLIENTS, RECONNECT_BOUND, "every client to reconnect").catch((err) => {
        err.message += `\n  ${stragglers(clients, 2)}`;
        throw err;
      });
      const stormSeconds = (Date.now() - restartedAt) / 1000;
      const stormCpu = cpuSeconds(server.pid) - cpuAtStart;
      const peakRssKib = statusKib(server.pid, "VmHWM");
      const rssAfterKib = statusKib(server.pid, "VmRSS");
      const refused = await metric(server, "switchboard_connections_refused_total");
      const sockets = await metric(server, "switchboard_sockets");
      const attempts = clients.reduce((sum, c) => sum + c.attempts, 0);
      console.log(
        `${CLIENTS} clients: first connect ramped in ${rampSeconds.toFixed(1)} s ` +
          `(${before.refused} refused, node RSS ${(steadyRssKib / 1024).toFixed(1)} MiB); ` +
          `after the restart all back in ${stormSeconds.toFixed(1)} s, ${refused} handshakes refused, ` +
          `${attempts} reconnection attempts; restarted node: peak RSS ${(peakRssKib / 1024).toFixed(1)} MiB ` +
          `(now ${(rssAfterKib / 1024).toFixed(1)} MiB), CPU ${stormCpu.toFixed(2)} s`,
      );

      assert.equal(disconnected.count, CLIENTS, "every client saw the crash as a disconnect");
      assert.deepEqual(
        new Set(clients.map((c) => c.disconnectReason)),
        new Set(["transport close"]),
        "the crash is a transport close for every client",
      );
      assert.equal(sockets, CLIENTS, "the restarted node holds one socket per client");
      assert.ok(refused > 0, `the admission limit refused part of the storm: ${refused} refused`);
      if (!SANITIZED) {
        const peakMib = (peakRssKib / 1024).toFixed(1);
        assert.ok(
          peakRssKib < RSS_BOUND_MIB * 1024,
          `peak RSS of the restarted node ${peakMib} MiB (bound ${RSS_BOUND_MIB.toFixed(1)} MiB)`,
        );
        assert.ok(
          stormCpu < CPU_BOUND_SECONDS,
          `CPU of the restarted node ${stormCpu.toFixed(2)} s (bound ${CPU_BOUND_SECONDS} s)`,
        );
      }

      // After the storm the node works: three of the returned clients meet in a room.
      const room = uniqueRoom("after-storm");
      const [ada, bob, cy] = [clients[0], clients[Math.floor(CLIENTS / 2)], clients[CLIENTS - 1]];
      for (const c of [ada, bob, cy]) await join(c, room);
      const text = "back after the storm";
      await send(ada, room, text);
      for (const c of [bob, cy]) {
        await c.log.take((e) => e.event === "message" && e.args[0]?.text === text, WAIT, "the message");
      }

      // They all leave again: the node holds no session afterwards.
      closeAllClients();
      const deadline = Date.now() + 10000;
      while ((await metric(server, "switchboard_sockets")) !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // poll period, bounded by the deadline
      }
      assert.equal(await metric(server, "switchboard_sockets"), 0, "sockets left after the clients closed");
    } finally {
      closeAllClients();
      try {
        await server?.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  },
);
