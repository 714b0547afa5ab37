// Shared helpers for the black-box protocol conformance tests.
//
// - startServer(): spawns the server binary with `--port 0`, waits (bounded) for
//   the line `listening on http://HOST:PORT` on stdout and returns
//   { url, wsUrl, host, port, stop() }.
// - TestSocket: a WebSocket client (npm `ws`) that queues every message/close
//   event so that nothing is lost between two awaits; every wait is bounded.
// - http(): a fetch wrapper with a bounded timeout that reads the whole body.
// - Engine.IO / Socket.IO constants of the reference configuration.

import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { http as sharedHttp, startServerProcess, withTimeout } from "../lib/server-process.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");

// Reference configuration of the server under test (same as the official
// reference servers of the Engine.IO v4 / Socket.IO v5 test suites).
export const PING_INTERVAL = 300;
export const PING_TIMEOUT = 200;
export const MAX_PAYLOAD = 1000000;
export const CONNECT_TIMEOUT = 1000;

// Default bound for a single wait (message, close, HTTP response).
export const WAIT_TIMEOUT = 2000;
// Default per-test timeout for `node:test`.
export const TEST_TIMEOUT = 10000;

export function serverBinary() {
  const fromEnv = process.env.SWITCHBOARD_CONFORMANCE_SERVER;
  // an explicit path is taken relative to the current directory
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(testsDir, "../build/release/examples/conformance_server");
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { withTimeout };

export function startServer({ binary = serverBinary(), args = ["--port", "0"] } = {}) {
  return startServerProcess({ binary, args, envName: "SWITCHBOARD_CONFORMANCE_SERVER" });
}

// ---------------------------------------------------------------------------
// WebSocket client with buffered events
// ---------------------------------------------------------------------------

const openSockets = new Set();

// Terminates every TestSocket that is still open (call from afterEach).
export function closeAllSockets() {
  for (const s of openSockets) s.terminate();
  openSockets.clear();
}

export class TestSocket {
  constructor(url) {
    this.url = url;
    this.events = []; // queued { type: "message", data, isBinary } | { type: "close", code, reason }
    this.waiters = [];
    this.errors = [];
    this.closed = false;
    this.ws = new WebSocket(url);
    openSockets.add(this);

    this.openPromise = new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("close", () => reject(new Error(`WebSocket ${url} closed before opening`)));
    });
    this.openPromise.catch(() => {}); // handled by whoever awaits it

    this.ws.on("message", (data, isBinary) => {
      // text frames -> string, binary frames -> Buffer
      this.push({
        type: "message",
        isBinary,
        data: isBinary ? Buffer.from(data) : data.toString("utf8"),
      });
    });
    this.ws.on("close", (code, reason) => {
      this.closed = true;
      openSockets.delete(this);
      this.push({ type: "close", code, reason: reason.toString() });
    });
    // A refused handshake or a reset connection shows up as `error` then `close`.
    this.ws.on("error", (err) => this.errors.push(err));
  }

  push(event) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(event);
    else this.events.push(event);
  }

  // Next queued event (message or close), bounded.
  nextEvent(timeout = WAIT_TIMEOUT, what = "a WebSocket event") {
    if (this.events.length) return Promise.resolve(this.events.shift());
    let waiter;
    const p = new Promise((resolve) => {
      waiter = resolve;
      this.waiters.push(waiter);
    });
    return withTimeout(p, timeout, `${what} on ${this.url}`).catch((err) => {
      const i = this.waiters.indexOf(waiter);
      if (i !== -1) this.waiters.splice(i, 1);
      throw err;
    });
  }

  waitOpen(timeout = WAIT_TIMEOUT) {
    return withTimeout(this.openPromise, timeout, `WebSocket open on ${this.url}`);
  }

  // Next message frame; fails if the connection closes first.
  // With { skipPings: true }, Engine.IO ping frames ("2") are skipped.
  async nextMessage({ timeout = WAIT_TIMEOUT, skipPings = false } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const left = Math.max(1, deadline - Date.now());
      const ev = await this.nextEvent(left, "a message");
      if (ev.type === "close") {
        // keep the close event for a later waitClose()
        this.events.unshift(ev);
        throw new Error(
          `WebSocket closed (code ${ev.code}) while a message was expected`,
        );
      }
      if (skipPings && !ev.isBinary && ev.data === "2") continue;
      return ev;
    }
  }

  // Shorthand: next text frame, asserted to be text.
  async nextText(opts) {
    const ev = await this.nextMessage(opts);
    if (ev.isBinary) {
      throw new Error(`expected a text frame, got binary <${ev.data.toString("hex")}>`);
    }
    return ev.data;
  }

  // Shorthand: next binary frame, asserted to be binary.
  async nextBinary(opts) {
    const ev = await this.nextMessage(opts);
    if (!ev.isBinary) throw new Error(`expected a binary frame, got text ${JSON.stringify(ev.data)}`);
    return ev.data;
  }

  // Waits until the server closes the connection (or the handshake fails).
  // Returns the messages received before the close, as { data, isBinary }.
  async waitClose(timeout = WAIT_TIMEOUT) {
    const deadline = Date.now() + timeout;
    const before = [];
    for (;;) {
      const left = Math.max(1, deadline - Date.now());
      const ev = await this.nextEvent(left, "the connection to be closed");
      if (ev.type === "close") return before;
      before.push(ev);
    }
  }

  send(data) {
    this.ws.send(data);
  }

  close() {
    if (!this.closed) this.ws.close();
  }

  terminate() {
    if (!this.closed) this.ws.terminate();
  }
}

// Opens a WebSocket and returns it (not yet awaited).
export function openSocket(url) {
  return new TestSocket(url);
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

// fetch() with a bounded timeout (WAIT_TIMEOUT by default); returns { status, headers, text }.
export function http(url, { timeout = WAIT_TIMEOUT, ...rest } = {}) {
  return sharedHttp(url, { timeout, ...rest });
}

// Engine.IO HTTP error bodies: {"code":N,"message":"..."}.
export const EIO_ERRORS = {
  UNKNOWN_TRANSPORT: { code: 0, message: "Transport unknown" },
  UNKNOWN_SID: { code: 1, message: "Session ID unknown" },
  BAD_HANDSHAKE_METHOD: { code: 2, message: "Bad handshake method" },
  BAD_REQUEST: { code: 3, message: "Bad request" },
  UNSUPPORTED_PROTOCOL_VERSION: { code: 5, message: "Unsupported protocol version" },
};

// ---------------------------------------------------------------------------
// Engine.IO helpers (shared by the Engine.IO and Socket.IO test files)
// ---------------------------------------------------------------------------

export const OPEN_KEYS = ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"];

// Helpers bound to one server and one Engine.IO path ("/engine.io/" or "/socket.io/").
export function engineIo(server, enginePath) {
  const httpBase = `${server.url}${enginePath}`;
  const wsBase = `${server.wsUrl}${enginePath}`;
  const pollingUrl = (sid, extra = "") =>
    `${httpBase}?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ""}${extra}`;
  const websocketUrl = (sid) =>
    `${wsBase}?EIO=4&transport=websocket${sid ? `&sid=${encodeURIComponent(sid)}` : ""}`;

  return {
    httpBase,
    wsBase,
    pollingUrl,
    websocketUrl,
    // Polling handshake; returns { sid, open, res }.
    async openPolling() {
      const res = await http(pollingUrl(null, `&t=${Date.now().toString(36)}`));
      if (res.status !== 200 || !res.text.startsWith("0")) {
        throw new Error(`polling handshake failed: ${res.status} ${JSON.stringify(res.text)}`);
      }
      const open = JSON.parse(res.text.slice(1));
      return { sid: open.sid, open, res };
    },
    // GET on an existing session (long-poll; bounded).
    poll(sid, opts = {}) {
      return http(pollingUrl(sid), { timeout: WAIT_TIMEOUT, ...opts });
    },
    // POST a payload on an existing session.
    post(sid, body, opts = {}) {
      return http(pollingUrl(sid), {
        method: "POST",
        body,
        headers: { "content-type": "text/plain;charset=UTF-8" },
        ...opts,
      });
    },
    // WebSocket-only session: returns { socket, open } after the open packet.
    async openWebSocket() {
      const socket = openSocket(websocketUrl());
      const first = await socket.nextText();
      if (!first.startsWith("0")) throw new Error(`expected an open packet, got ${JSON.stringify(first)}`);
      return { socket, open: JSON.parse(first.slice(1)) };
    },
    // Upgrades a polling session: opens the WS with the sid, probes, sends "5".
    // Returns the upgraded socket. Does not wait for anything after "5".
    async upgrade(sid) {
      const socket = openSocket(websocketUrl(sid));
      await socket.waitOpen();
      socket.send("2probe");
      const probe = await socket.nextText();
      if (probe !== "3probe") throw new Error(`expected 3probe, got ${JSON.stringify(probe)}`);
      socket.send("5");
      return socket;
    },
  };
}

// Asserts an Engine.IO open packet payload (already JSON-parsed).
export function assertOpen(open, { upgrades }) {
  assert.deepEqual(Object.keys(open).sort(), OPEN_KEYS, "open packet must have exactly these keys");
  assert.equal(typeof open.sid, "string");
  assert.ok(open.sid.length > 0, "sid must not be empty");
  assert.deepEqual(open.upgrades, upgrades);
  assert.equal(open.pingInterval, PING_INTERVAL);
  assert.equal(open.pingTimeout, PING_TIMEOUT);
  assert.equal(open.maxPayload, MAX_PAYLOAD);
}

// Asserts an Engine.IO HTTP error: 400 + application/json {"code","message"}.
export function assertEioError(res, expected, status = 400) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.text)}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json\b/i);
  assert.deepEqual(JSON.parse(res.text), expected);
}

// Asserts a successful long-poll GET response with the exact payload.
export function assertPollBody(res, expected) {
  assert.equal(res.status, 200, `expected HTTP 200, got ${res.status} ${JSON.stringify(res.text)}`);
  assert.equal(res.text, expected);
}

// Asserts a successful POST ("ok").
export function assertPostOk(res) {
  assert.equal(res.status, 200, `expected HTTP 200, got ${res.status} ${JSON.stringify(res.text)}`);
  assert.equal(res.text, "ok");
}
