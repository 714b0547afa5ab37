// Shared helpers for the black-box chat tests: the `switchboard` binary against the contract of
// docs/user-guide.md (chat events on "/", identity, the HTTP server API, /admin stats).
//
// - startChat(args, {dataDir, port, descriptorLimit}): spawns switchboard on 127.0.0.1, port 0
//   unless one is given (a restart on the same port), a fresh data folder (mkdtemp) unless one is
//   given, under `ulimit -n descriptorLimit` when set; returns the server of startServerProcess()
//   plus dataDir; stop() removes a folder it created.
// - withChat(args, options): one server for a describe block (or a file): started before its
//   tests, its clients closed and the server stopped after them.
// - connectUser(server, auth, opts) / openUser(): official socket.io-client sockets whose received
//   events are queued (EventLog), tracked for closeAllClients().
// - ack(socket, event, ...args): emitWithAck bounded by a timeout.
// - api(): bounded HTTP, JSON parsed when the body is JSON; rawHttp(): bytes over a TCP socket
//   for requests fetch() would normalise (dot segments) or refuse.
// - jwt(): HS256 (or any) tokens signed with node:crypto.
// - configFile(text): a temporary TOML file for --config; its path.
// - runLoadgen(args, ms): the native load generator (bench/loadgen) to its end; its JSON line.
//
// Every wait is bounded; nothing waits for time to pass as synchronisation.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { EventLog } from "../lib/event-log.mjs";
import { b64url, signJwt } from "../lib/jwt.mjs";
import { http as sharedHttp, startServerProcess, withTimeout } from "../lib/server-process.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");

export const WAIT = 3000; // bound for one wait
export const TEST_TIMEOUT = 20000; // per-test bound for node:test

export { EventLog, withTimeout };

export function serverBinary() {
  const fromEnv = process.env.SWITCHBOARD_BINARY;
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(testsDir, "../build/release/src/server/switchboard");
}

// ---------------------------------------------------------------------------
// Server process
// ---------------------------------------------------------------------------

export function freshDataDir() {
  return mkdtempSync(path.join(os.tmpdir(), "switchboard-chat-"));
}

export async function startChat(extraArgs = [], { dataDir, env, port = 0, descriptorLimit } = {}) {
  const ownDir = !dataDir;
  const dir = dataDir ?? freshDataDir();
  // Under `ulimit -n descriptorLimit`: bash execs the binary, so the pid is still the server's.
  const launch = descriptorLimit
    ? { binary: "/bin/bash", prefix: ["-c", `ulimit -n ${descriptorLimit} && exec "$0" "$@"`, serverBinary()] }
    : { binary: serverBinary(), prefix: [] };
  let server;
  try {
    server = await startServerProcess({
      binary: launch.binary,
      args: [
        ...launch.prefix,
        "--host", "127.0.0.1", "--port", String(port), "--data-dir", dir,
        ...(extraArgs.includes("--log-level") ? [] : ["--log-level", "warn"]),
        // Tests stop servers all the time: at once, unless a test is about the drain itself.
        ...(extraArgs.includes("--drain-time") ? [] : ["--drain-time", "0"]),
        ...extraArgs,
      ],
      envName: "SWITCHBOARD_BINARY",
      env,
    });
  } catch (err) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = server.stop.bind(server);
  server.dataDir = dir;
  server.stop = async () => {
    try {
      return await stop();
    } finally {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    }
  };
  return server;
}

// Called at the top of a file or in a describe callback: a `before` hook starts a server with
// startChat(args, options) for the tests there, an `after` hook closes every client and stops it.
// `args` may be a function, called in the `before` hook, for flags that an earlier hook prepares.
// Returns a stand-in that reads through to the started server, so tests use it as the server:
//   const server = withChat(["--rate-limit", "0"]);
//   test("...", async () => { const ada = await openUser(server, "ada"); ... server.url ... });
export function withChat(args = [], options = {}) {
  let server;
  before(async () => {
    server = await startChat(typeof args === "function" ? args() : args, options);
  });
  after(async () => {
    closeAllClients();
    await server?.stop();
  });
  const started = () => {
    if (!server) throw new Error("no chat server: withChat's before hook has not started one");
    return server;
  };
  return new Proxy({}, { get: (_, key) => started()[key], has: (_, key) => key in started() });
}

// Writes `text` to a new temporary .toml file (removed when the process exits) and returns its
// path, for `--config FILE`: e.g. the rule that lets any socket read a room's history,
//   configFile('[[rooms]]\nmatch = "burst*"\nhistory = "anyone"\n')
const configDirs = [];
export function configFile(text) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "switchboard-config-"));
  if (configDirs.push(dir) === 1) {
    process.on("exit", () => {
      for (const d of configDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const file = path.join(dir, "switchboard.toml");
  writeFileSync(file, text);
  return file;
}

// The config file of a server on which any socket may read the history of rooms whose name
// starts with one of `prefixes` (the default rule lets only members read it).
export function historyForAnyone(...prefixes) {
  return configFile(prefixes.map((p) => `[[rooms]]\nmatch = ${JSON.stringify(`${p}*`)}\nhistory = "anyone"\n`).join("\n"));
}

// Runs the binary with `args` (no default flags) and waits (bounded) for it to exit, as for a bad
// flag. Returns { code, signal, output }; kills it and fails if it is still running at the bound.
export function runToExit(args, ms = WAIT) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`switchboard ${args.join(" ")} still running after ${ms} ms:\n${output}`));
    }, ms);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

// ---------------------------------------------------------------------------
// Event log of a socket.io-client socket
// ---------------------------------------------------------------------------


// Runs the native load generator (bench/loadgen; LOADGEN_BINARY overrides) to its end, bounded;
// resolves with its JSON line.
export function runLoadgen(args, ms) {
  const binary = process.env.LOADGEN_BINARY || path.resolve(testsDir, "../build/release/bench/loadgen/loadgen");
  return withTimeout(
    new Promise((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      child.on("error", reject);
      child.on("exit", (code) => {
        const line = out.trim().split("\n").pop();
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`loadgen exited ${code} without a JSON line: ${out} ${err}`));
        }
      });
    }),
    ms,
    "the load generator",
  );
}

// ---------------------------------------------------------------------------
// socket.io-client
// ---------------------------------------------------------------------------

const clients = new Set();

// `auth` is a user name (string) or a whole auth object. Options default to websocket only,
// { forceNew: true, reconnection: false }.
export function connectUser(server, auth, opts = {}, label) {
  const authObj = typeof auth === "string" ? { name: auth } : auth;
  const nsp = opts.nsp ?? "/";
  const { nsp: _n, ...rest } = opts;
  const socket = io(`${server.url}${nsp === "/" ? "" : nsp}`, {
    forceNew: true,
    reconnection: false,
    timeout: WAIT,
    transports: ["websocket"],
    ...(authObj === undefined ? {} : { auth: authObj }),
    ...rest,
  });
  socket.log = new EventLog(label ?? (typeof auth === "string" ? auth : JSON.stringify(auth)));
  socket.onAny((event, ...args) => {
    const offset = recoveryOffset(socket, args);
    if (offset !== undefined) args.pop();
    socket.log.push(event, args, offset);
  });
  clients.add(socket);
  return socket;
}

// With connection state recovery on (the server's default), a broadcast ends with its offset, the
// string the client presents when it reconnects: the log keeps it apart from the event's payload
// (ev.offset). A single node counts ("17"); a cluster uses stream ids ("1732971234567-000042").
export function recoveryOffset(socket, args) {
  const last = args.at(-1);
  if (!socket._pid || typeof last !== "string" || !/^(\d+|\d{13}-\d{6})$/.test(last)) return undefined;
  return last;
}

// Waits for "connect"; fails with the connect_error details.
export async function waitConnected(socket, ms = WAIT) {
  if (socket.connected) return socket;
  await withTimeout(
    new Promise((resolve, reject) => {
      const onConnect = () => {
        socket.off("connect_error", onError);
        resolve();
      };
      const onError = (err) => {
        socket.off("connect", onConnect);
        reject(new Error(`connect_error: ${err.message} ${JSON.stringify(err.data ?? null)}`));
      };
      socket.once("connect", onConnect);
      socket.once("connect_error", onError);
    }),
    ms,
    `socket ${socket.log.name} to connect`,
  );
  return socket;
}

export function openUser(server, auth, opts = {}, label) {
  return waitConnected(connectUser(server, auth, opts, label));
}

// Waits for connect_error (fails if the socket connects instead); returns the error.
export function connectError(socket, ms = WAIT) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const onConnect = () => {
        socket.off("connect_error", onError);
        reject(new Error(`socket ${socket.log.name} connected but should have been refused`));
      };
      const onError = (err) => {
        socket.off("connect", onConnect);
        resolve(err);
      };
      socket.once("connect", onConnect);
      socket.once("connect_error", onError);
    }),
    ms,
    `connect_error on ${socket.log.name}`,
  );
}

export function closeAllClients() {
  for (const s of clients) {
    s.io.reconnection(false);
    s.disconnect();
    s.io.engine?.close();
  }
  clients.clear();
}

// Emits `event` with `args` and waits (bounded) for the ack's first argument.
export function ack(socket, event, ...args) {
  return withTimeout(socket.emitWithAck(event, ...args), WAIT, `the ack of "${event}" ${JSON.stringify(args)}`);
}

// Joins and asserts the ack is ok; returns the ack.
export async function join(socket, room) {
  const res = await ack(socket, "join", room);
  assert.equal(res?.ok, true, `join ${JSON.stringify(room)} by ${socket.log.name}: ${JSON.stringify(res)}`);
  return res;
}

// Sends a message and asserts the ack is ok; returns the id.
export async function send(socket, room, text) {
  const res = await ack(socket, "message", { room, text });
  assert.equal(res?.ok, true, `message to ${room} by ${socket.log.name}: ${JSON.stringify(res)}`);
  return res.id;
}

// Asserts a refusal {ok:false, error:code, message:<non-empty string>}.
export function assertRefusal(res, code, what = "") {
  assert.equal(typeof res, "object", `${what}: expected a refusal object, got ${JSON.stringify(res)}`);
  assert.notEqual(res, null, `${what}: got null`);
  assert.equal(res.ok, false, `${what}: expected ok:false, got ${JSON.stringify(res)}`);
  assert.equal(res.error, code, `${what}: expected error ${code}, got ${JSON.stringify(res)}`);
  assert.equal(typeof res.message, "string", `${what}: message should be a string: ${JSON.stringify(res)}`);
  assert.ok(res.message.length > 0, `${what}: message should not be empty`);
}

let roomSeq = 0;
// A room name no other test uses. Never shaped like a socket id (exactly 20 characters of
// A-Z a-z 0-9 - _), a reserved name that join refuses forbidden: such a name gets a "-r" more.
export function uniqueRoom(prefix = "room") {
  const name = `${prefix}-${process.pid}-${++roomSeq}`;
  return /^[A-Za-z0-9_-]{20}$/.test(name) ? `${name}-r` : name;
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

// Bounded HTTP; returns { status, headers, text, json } (json undefined when not JSON).
export async function api(server, pathAndQuery, { timeout = WAIT, json: body, ...rest } = {}) {
  const opts = { timeout, ...rest };
  if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers = { "content-type": "application/json", ...(rest.headers ?? {}) };
    opts.method = rest.method ?? "POST";
  }
  const res = await sharedHttp(`${server.url}${pathAndQuery}`, opts);
  try {
    res.json = JSON.parse(res.text);
  } catch {
    res.json = undefined;
  }
  return res;
}

// Asserts an HTTP error: the status, a JSON body {error, message} with the code.
export function assertHttpError(res, status, code, what = "") {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/, `${what}: content-type`);
  assert.ok(res.json && typeof res.json === "object", `${what}: body is not JSON: ${res.text}`);
  assert.equal(res.json.error, code, `${what}: error code in ${res.text}`);
  assert.equal(typeof res.json.message, "string", `${what}: message in ${res.text}`);
}

// Reads a Prometheus sample value (the first line `name` or `name{...}`); undefined when absent.
export async function metric(server, name) {
  const res = await api(server, "/metrics");
  assert.equal(res.status, 200, `GET /metrics: ${res.status}`);
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$`, "m");
  const m = re.exec(res.text);
  return m ? Number(m[1]) : undefined;
}

// Sends `request` (string or Buffer) over a new TCP connection and reads the answer until the
// server closes or one full response (by Content-Length) has arrived.
// Returns { status, headers: {lowercase: value}, body: Buffer, raw: Buffer }.
export function rawHttp(server, request, ms = WAIT) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const sock = net.connect({ host: server.host.replace(/^\[|\]$/g, ""), port: server.port });
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = () => {
        if (done) return;
        const parsed = parseResponse(buf);
        if (!parsed) {
          done = true;
          sock.destroy();
          return reject(new Error(`incomplete HTTP response: ${JSON.stringify(buf.toString("latin1"))}`));
        }
        done = true;
        sock.destroy();
        resolve(parsed);
      };
      sock.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        const parsed = parseResponse(buf);
        if (parsed && parsed.complete) finish();
      });
      sock.on("error", () => finish()); // a reset after the answer is fine
      sock.on("close", finish);
      sock.on("connect", () => sock.write(request));
    }),
    ms,
    "a raw HTTP response",
  );
}

function parseResponse(buf) {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const head = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return null;
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = buf.subarray(end + 4);
  const len = headers["content-length"] !== undefined ? Number(headers["content-length"]) : undefined;
  return { status: Number(m[1]), headers, body, raw: buf, complete: len !== undefined && body.length >= len };
}

// ---------------------------------------------------------------------------
// JWT
// ---------------------------------------------------------------------------

export { b64url };

// An HMAC-signed JWT (lib/jwt.mjs): alg "HS256" (default), "HS384", "HS512", or "none" (no
// signature). A string payload is taken as the raw payload text (e.g. not JSON).
export function jwt(payload, secret, { alg = "HS256", header } = {}) {
  return signJwt(payload, alg, secret, { header });
}

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}
