// Shared helpers for the cluster tests: Switchboard nodes and Node.js Socket.IO servers
// (@socket.io/redis-adapter) on one Redis, as docs/design.md#cluster describes.
//
// - startRedis(): a fresh redis-server on a free port (no persistence), ready when it prints
//   "Ready to accept connections"; handle.stop() (SIGTERM) and handle.start() (again, same port).
//   With {persistent: true} it keeps an append-only file (fsync on every write) in a fresh folder,
//   so what it acknowledged survives a restart, as a production Redis holding chat history would.
// - startSwitchboard({redisUrl, nodeId, args}): the `switchboard` binary on 127.0.0.1, port 0, a
//   fresh data folder, --rate-limit 0, and `--redis redisUrl` when given.
// - startTestbed({redisUrl, args}): examples/testbed_server, the library API behind client events.
// - startNodePeer() (node-peer.mjs): the Node.js peer, in-process.
// - redisCommand(), serverCount(), waitServerCount(): look at Redis itself (PUBSUB NUMSUB of the
//   request channel = how many servers a Node adapter will wait for).
// - healthz(), waitRedisState(): the node's own view of its Redis link.
// - eventually(): repeat an action until a check passes, bounded (for a publish that must land
//   after a subscription is live).
// - Resources: everything a test file started, closed in reverse order in after().
//
// Clients and chat helpers (connectUser, openUser, join, send, ack, EventLog, closeAllClients) come
// from ../chat/chat-harness.mjs. Every wait is bounded; nothing sleeps as synchronisation.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { freePort, http, startServerProcess, withTimeout } from "../lib/server-process.mjs";
import { api, join, openUser, send, serverBinary } from "../chat/chat-harness.mjs";
import { startNodePeer } from "./node-peer.mjs";

export {
  EventLog,
  ack,
  api,
  assertRefusal,
  closeAllClients,
  connectUser,
  join,
  openUser,
  send,
  uniqueRoom,
  waitConnected,
} from "../chat/chat-harness.mjs";
export { freePort, startNodePeer, withTimeout };

export const WAIT = 3000; // bound for one wait
export const LINK_WAIT = 8000; // bound for a node to (re)link with Redis
export const TEST_TIMEOUT = 30000; // per-test bound for node:test
export const REDIS_BINARY = process.env.REDIS_SERVER_BINARY || "/usr/bin/redis-server";
export const KEY = "socket.io";

// ---------------------------------------------------------------------------
// redis-server
// ---------------------------------------------------------------------------

// A redis-server on 127.0.0.1:port that can be stopped and started again on the same port. With
// `cluster`, a Redis Cluster node (its nodes.conf in a fresh folder); with `tls` ({cert, key, ca}
// files), TLS only (url rediss://); with `persistent`, an append-only file (appendfsync always) in
// a fresh folder that start() after stop() reloads.
class RedisServer {
  constructor(port, { cluster = false, tls = null, persistent = false } = {}) {
    this.port = port;
    this.cluster = cluster;
    this.tls = tls;
    this.persistent = persistent;
    this.ownDir = cluster || persistent;
    this.dir = this.ownDir ? mkdtempSync(path.join(os.tmpdir(), "switchboard-redis-")) : os.tmpdir();
    this.url = `${tls ? "rediss" : "redis"}://127.0.0.1:${port}`;
    this.child = null;
    this.log = "";
    this.exitPromise = null;
  }

  output() {
    return this.log;
  }

  alive() {
    return this.child !== null;
  }

  async start(ms = 5000) {
    assert.equal(this.child, null, "redis-server is already running");
    const args = ["--port", String(this.port), "--save", "", "--bind", "127.0.0.1", "--dir", this.dir];
    args.push("--appendonly", this.persistent ? "yes" : "no");
    if (this.persistent) args.push("--appendfsync", "always");
    if (this.tls) {
      args.splice(0, 2, "--port", "0", "--tls-port", String(this.port));
      args.push("--tls-cert-file", this.tls.cert, "--tls-key-file", this.tls.key, "--tls-ca-cert-file", this.tls.ca);
      args.push("--tls-auth-clients", "no");
    }
    if (this.cluster) {
      // The bus port is chosen too: the default (port + 10000) may be past 65535.
      this.busPort ??= await freePort();
      args.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", String(this.busPort));
    }
    const child = spawn(REDIS_BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exitPromise = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        if (this.child === child) this.child = null;
        resolve({ code, signal });
      });
    });
    const keep = (chunk) => {
      this.log += chunk;
      if (this.log.length > 65536) this.log = this.log.slice(-65536);
    };
    const ready = new Promise((resolve, reject) => {
      let pending = "";
      child.stdout.setEncoding("utf8");
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", keep);
      child.stdout.on("data", (chunk) => {
        keep(chunk);
        pending += chunk;
        if (/Ready to accept connections/.test(pending)) resolve();
        const nl = pending.lastIndexOf("\n");
        if (nl !== -1) pending = pending.slice(nl + 1);
      });
      child.on("error", (err) => reject(new Error(`failed to spawn ${REDIS_BINARY}: ${err.message}`)));
      this.exitPromise.then(({ code, signal }) =>
        reject(new Error(`redis-server exited before it was ready (code=${code}, signal=${signal})`)),
      );
    });
    try {
      await withTimeout(ready, ms, `redis-server on port ${this.port} to be ready`);
    } catch (err) {
      if (this.child === child) {
        child.kill("SIGKILL");
        await withTimeout(this.exitPromise, 3000, "redis-server exit").catch(() => {});
      }
      err.message += `\n--- redis-server output ---\n${this.log}`;
      throw err;
    }
    return this;
  }

  // SIGTERM (bounded), then SIGKILL.
  async stop(ms = 5000) {
    const child = this.child;
    if (!child) return;
    const exited = this.exitPromise;
    child.kill("SIGTERM");
    try {
      await withTimeout(exited, ms, "redis-server exit after SIGTERM");
    } catch {
      child.kill("SIGKILL");
      await withTimeout(exited, ms, "redis-server exit after SIGKILL");
    }
  }

  // stop(), then removes the folder it made (cluster or persistent).
  async close() {
    try {
      await this.stop();
    } finally {
      if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export async function startRedis({ cluster = false, tls = null, persistent = false } = {}) {
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = new RedisServer(await freePort(), { cluster, tls, persistent });
    try {
      return await server.start();
    } catch (err) {
      lastErr = err;
      await server.close(); // not running: removes its folder, if it made one
      if (!/already in use|Could not create server TCP listening socket/i.test(err.message)) throw err;
    }
  }
  throw lastErr;
}

// Runs one command on a short-lived connection (bounded); returns the reply.
export async function redisCommand(url, args, ms = WAIT) {
  const client = createClient({ url, socket: { connectTimeout: ms, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await withTimeout(client.connect(), ms, `a connection to ${url}`);
    return await withTimeout(client.sendCommand(args.map(String)), ms, `Redis ${args.join(" ")}`);
  } finally {
    await client.disconnect().catch(() => {});
  }
}

export function requestChannel(nsp = "/", key = KEY) {
  return `${key}-request#${nsp}#`;
}

// The channel a Node.js adapter counts servers on: the request channel (PUBSUB NUMSUB), or in
// sharded mode the namespace's main shard channel (PUBSUB SHARDNUMSUB).
function countedChannel(nsp, key, sharded) {
  return sharded ? `${key}#${nsp}#` : requestChannel(nsp, key);
}

// How many servers a Node.js adapter counts.
export async function serverCount(url, nsp = "/", key = KEY, sharded = false) {
  const reply = await redisCommand(url, ["PUBSUB", sharded ? "SHARDNUMSUB" : "NUMSUB", countedChannel(nsp, key, sharded)]);
  return Number(reply[1]);
}

// Waits (bounded) until exactly `n` (or with atLeast, `n` or more) servers are counted.
export async function waitServerCount(url, n, { ms = LINK_WAIT, nsp = "/", key = KEY, atLeast = false, sharded = false } = {}) {
  const deadline = Date.now() + ms;
  let count;
  let clients = "";
  for (;;) {
    try {
      count = await serverCount(url, nsp, key, sharded);
      if (count === n || (atLeast && count > n)) return count;
    } catch (err) {
      count = `error: ${err.message}`;
    }
    if (Date.now() >= deadline) {
      try {
        clients = await redisCommand(url, ["CLIENT", "LIST"]);
      } catch (err) {
        clients = `CLIENT LIST failed: ${err.message}`;
      }
      throw new Error(
        `expected ${atLeast ? "at least " : ""}${n} servers subscribed to ${countedChannel(nsp, key, sharded)} ` +
          `(PUBSUB ${sharded ? "SHARDNUMSUB" : "NUMSUB"}) within ${ms} ms, ` +
          `last count: ${count}\n--- CLIENT LIST ---\n${clients}`,
      );
    }
    await pause(100);
  }
}

// Pause between two polls of a condition (never used as synchronisation by itself).
export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// Switchboard nodes
// ---------------------------------------------------------------------------

// Starts a node: --host 127.0.0.1 --port 0 --data-dir <mkdtemp> --log-level warn --rate-limit 0
// [--redis redisUrl] [--node-id nodeId] ...args. Returns the server of startServerProcess() plus
// nodeId and dataDir; stop() removes the data folder.
export async function startSwitchboard({ redisUrl, nodeId, args = [], env } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "switchboard-cluster-"));
  const all = ["--host", "127.0.0.1", "--port", "0", "--data-dir", dir, "--log-level", "warn", "--drain-time", "0", "--rate-limit", "0", "--event-rate-limit", "0"];
  if (redisUrl) all.push("--redis", redisUrl);
  if (nodeId) all.push("--node-id", nodeId);
  all.push(...args);
  let server;
  try {
    server = await startServerProcess({ binary: serverBinary(), args: all, envName: "SWITCHBOARD_BINARY", env });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = server.stop.bind(server);
  server.nodeId = nodeId;
  server.dataDir = dir;
  server.name = nodeId ?? server.url;
  server.stop = async () => {
    try {
      return await stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return server;
}

// The testbed server (examples/testbed_server.cpp: the library API behind client events) on
// 127.0.0.1, port 0, linked to `redisUrl`; `args` adds e.g. --node-id, --redis-mode.
const testbedBinary = path.resolve(
  process.env.SWITCHBOARD_TESTBED_SERVER ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), "../../build/release/examples/testbed_server"),
);
export function startTestbed({ redisUrl, args = [] }) {
  return startServerProcess({
    binary: testbedBinary,
    args: ["--host", "127.0.0.1", "--port", "0", "--redis", redisUrl, ...args],
    envName: "SWITCHBOARD_TESTBED_SERVER",
  });
}

// GET /healthz; returns { status, json }.
export async function healthz(node, ms = WAIT) {
  const res = await http(`${node.url}/healthz`, { timeout: ms });
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text: res.text, json };
}

// Waits (bounded) until /healthz reports redis === state.
export async function waitRedisState(node, state, ms = LINK_WAIT) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const h = await healthz(node, Math.min(WAIT, Math.max(100, deadline - Date.now())));
      last = `${h.status} ${h.text}`;
      if (h.json?.redis === state) return h.json;
    } catch (err) {
      last = `error: ${err.message}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`node ${node.name}: /healthz did not report redis "${state}" within ${ms} ms; last: ${last}`);
    }
    await pause(100);
  }
}

// On a Node peer: io.serverSideEmit("ping", ack), bounded by the adapter's requestsTimeout (set it
// with startNodePeer({requestsTimeout})) plus a margin. Resolves with the responses; rejects with
// the adapter's error (which names how many responses arrived) and the responses so far.
export function pingCluster(peer, ms = WAIT + 1000) {
  return withTimeout(
    new Promise((resolve, reject) =>
      peer.io.serverSideEmit("ping", (err, responses) => {
        if (err) {
          err.message += `; responses so far: ${JSON.stringify(responses)}`;
          reject(err);
        } else resolve(responses);
      }),
    ),
    ms,
    `responses to serverSideEmit("ping") from ${peer.name}`,
  );
}

// ---------------------------------------------------------------------------
// Waiting for deliveries
// ---------------------------------------------------------------------------

// Runs `action(attempt)`, then `check(ms)` with a short bound; repeats (at most every `every` ms)
// until check resolves or the overall bound passes. Returns { attempts, result }. For a first publish that must land after a
// remote subscription is live: each attempt must be distinguishable (e.g. its own text).
export async function eventually(action, check, { ms = LINK_WAIT, every = 500, what = "a delivery" } = {}) {
  const deadline = Date.now() + ms;
  let attempt = 0;
  let lastErr;
  while (Date.now() < deadline) {
    attempt++;
    const started = Date.now();
    await action(attempt);
    try {
      const result = await check(Math.max(50, Math.min(every, deadline - Date.now())));
      return { attempts: attempt, result };
    } catch (err) {
      lastErr = err;
    }
    // a check that fails at once (a poll) is repeated at most every `every` ms
    const rest = Math.min(every - (Date.now() - started), deadline - Date.now());
    if (rest > 0) await pause(rest);
  }
  throw new Error(`${what} did not happen within ${ms} ms (${attempt} attempts); last: ${lastErr?.message}`);
}

// Matchers for EventLog.take()/until().
export function messageWith(text) {
  return (ev) => ev.event === "message" && ev.args[0]?.text === text;
}
export function messageStartingWith(prefix) {
  return (ev) => ev.event === "message" && typeof ev.args[0]?.text === "string" && ev.args[0].text.startsWith(prefix);
}
export function eventNamed(name, pred = () => true) {
  return (ev) => ev.event === name && pred(...ev.args);
}

// Asserts that none of `events` is a message with `text` (e.g. the events before a later marker).
export function assertNoMessage(events, text, who) {
  const hit = events.find((ev) => ev.event === "message" && ev.args[0]?.text === text);
  assert.equal(hit, undefined, `${who} should not have received "${text}": ${JSON.stringify(hit)}`);
}

// Waits (bounded) for the socket to be disconnected by the server; returns the reason.
export function waitDisconnect(socket, ms = WAIT) {
  if (!socket.connected) return Promise.resolve("already disconnected");
  return withTimeout(
    new Promise((resolve) => socket.once("disconnect", (reason) => resolve(reason))),
    ms,
    `socket ${socket.log?.name} to be disconnected`,
  );
}

// ---------------------------------------------------------------------------
// Resources of a test file
// ---------------------------------------------------------------------------

// Tracks what a test file started and closes it in reverse order (clients first).
export class Resources {
  constructor() {
    this.items = [];
  }
  add(closeFn) {
    this.items.push(closeFn);
  }
  async redis(opts) {
    const r = await startRedis(opts);
    this.add(() => r.close());
    return r;
  }
  async node(opts) {
    const n = await startSwitchboard(opts);
    this.add(() => n.stop());
    return n;
  }
  async testbed(opts) {
    const t = await startTestbed(opts);
    this.add(() => t.stop());
    return t;
  }
  async peer(opts) {
    const p = await startNodePeer(opts);
    this.add(() => p.close());
    return p;
  }
  async close() {
    const errors = [];
    while (this.items.length) {
      const fn = this.items.pop();
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  }
}

// ---------------------------------------------------------------------------
// Cluster set-up and chat messages
// ---------------------------------------------------------------------------

// Waits (bounded) until every Switchboard node reports redis "connected" and at least `servers`
// servers (nodes + Node peers) are subscribed to the request channel.
export async function waitLinked(redis, nodes, servers = nodes.length, { sharded = false } = {}) {
  await Promise.all(nodes.map((n) => waitRedisState(n, "connected")));
  await waitServerCount(redis.url, servers, { atLeast: true, sharded });
}

// Asserts that `node` serves its own clients while its Redis is unusable: two users join `room`
// and an API publish there reaches them. Returns the first user, to talk across once linked.
export async function assertServesLocally(node, room) {
  const first = await openUser(node, "ada");
  const second = await openUser(node, "amy");
  await join(first, room);
  await join(second, room);
  const data = `local in ${room}`;
  const pub = await api(node, "/api/publish", { json: { room, event: "notice", data } });
  assert.equal(pub.status, 200, pub.text);
  assert.deepEqual((await second.log.take("notice", WAIT, "a local broadcast")).args, [data]);
  return first;
}

// Starts another node on `redisUrl` (with `args`), waits until it is linked, and asserts that
// `sender`'s messages to `room` reach a user there: the sender's node is in the cluster.
export async function assertReachesNewNode(res, sender, room, { redisUrl, args = [] }) {
  const other = await res.node({ redisUrl, nodeId: "nB", args });
  await waitRedisState(other, "connected", LINK_WAIT);
  const bob = await openUser(other, "bob");
  await join(bob, room);
  await eventually(
    (i) => send(sender, room, `across ${i}`),
    (ms) => bob.log.take(messageStartingWith("across"), ms, "a message from the first node"),
    { what: `delivery from the first node to a new one in ${room}` },
  );
}

// Asserts a chat `message` object {id, room, user, name, text, ts} (docs/user-guide.md).
export function assertChatMessage(msg, { room, user, name = user, text }, what = "message") {
  assert.equal(typeof msg, "object", `${what}: ${JSON.stringify(msg)}`);
  assert.notEqual(msg, null, `${what}: null`);
  assert.deepEqual(
    Object.keys(msg).sort(),
    ["id", "name", "room", "text", "ts", "user"],
    `${what}: keys of ${JSON.stringify(msg)}`,
  );
  assert.equal(msg.room, room, `${what}: room in ${JSON.stringify(msg)}`);
  assert.equal(msg.user, user, `${what}: user in ${JSON.stringify(msg)}`);
  assert.equal(msg.name, name, `${what}: name in ${JSON.stringify(msg)}`);
  assert.equal(msg.text, text, `${what}: text in ${JSON.stringify(msg)}`);
  assert.ok(Number.isInteger(msg.id), `${what}: id should be an integer: ${JSON.stringify(msg)}`);
  assert.ok(
    Number.isFinite(msg.ts) && Math.abs(msg.ts - Date.now()) < 60000,
    `${what}: ts should be ms since the epoch: ${JSON.stringify(msg)}`,
  );
}
