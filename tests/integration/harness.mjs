// Shared helpers for the black-box integration tests (the testbed server, see
// examples/testbed_server.cpp for its event contract).
//
// - startServer(args): spawns the testbed binary with `--port 0` + args, waits
//   (bounded) for `listening on http://HOST:PORT` and returns { url, wsUrl, stop() }.
// - withTimeout(promise, ms, what): every wait of the suite goes through it.
// - connectClient(): an official socket.io-client socket whose received events are
//   queued (EventLog), tracked so that closeAllClients() can clean up.
// - RawWs: a raw `ws` WebSocket that queues messages and the close event.
// - RawFrameSocket: a plain TCP socket after a manual WebSocket handshake, to
//   write frames the `ws` library refuses to produce (unmasked, invalid UTF-8).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import WebSocket from "ws";
import { EventLog } from "../lib/event-log.mjs";
import { http as sharedHttp, startServerProcess, withTimeout } from "../lib/server-process.mjs";

export { EventLog };

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");

export const WAIT = 3000; // default bound for one wait
export const TEST_TIMEOUT = 20000; // default per-test bound for node:test

export function serverBinary() {
  const fromEnv = process.env.SWITCHBOARD_TESTBED_SERVER;
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(testsDir, "../build/release/examples/testbed_server");
}

export { withTimeout };

// Resolves with the arguments of the next `event` emitted by `emitter` (bounded).
export function once(emitter, event, ms = WAIT, what = `"${event}"`) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (...args) => resolve(args);
    emitter.once(event, handler);
  });
  return withTimeout(p, ms, what).catch((err) => {
    emitter.off(event, handler);
    throw err;
  });
}

// ---------------------------------------------------------------------------
// Server process
// ---------------------------------------------------------------------------

export function startServer(extraArgs = []) {
  return startServerProcess({
    binary: serverBinary(),
    args: ["--port", "0", ...extraArgs],
    envName: "SWITCHBOARD_TESTBED_SERVER",
  });
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

// fetch() with a bounded timeout (WAIT by default); returns { status, headers, text }.
export function http(url, { timeout = WAIT, ...rest } = {}) {
  return sharedHttp(url, { timeout, ...rest });
}

export async function sessionCount(server) {
  const res = await http(`${server.url}/debug/stats`);
  assert.equal(res.status, 200, `GET /debug/stats: ${res.status} ${res.text}`);
  const body = JSON.parse(res.text);
  assert.equal(typeof body.sessions, "number", `GET /debug/stats body: ${res.text}`);
  return body.sessions;
}

// Polls /debug/stats until `pred(sessions)` holds; bounded. Returns the last count.
export async function waitSessions(server, pred, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await sessionCount(server);
    if (pred(last)) return last;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last /debug/stats sessions=${last})`);
    }
    await new Promise((r) => setTimeout(r, 50)); // poll period, not synchronisation
  }
}

// ---------------------------------------------------------------------------
// socket.io-client with an event log
// ---------------------------------------------------------------------------

const clients = new Set();

// Opens a socket.io-client socket; every received event goes into socket.log.
// Options default to { forceNew: true, reconnection: false }.
export function connectClient(server, nsp = "/", opts = {}, name = nsp) {
  const socket = io(`${server.url}${nsp === "/" ? "" : nsp}`, {
    forceNew: true,
    reconnection: false,
    timeout: WAIT,
    ...opts,
  });
  socket.log = new EventLog(name);
  socket.onAny((event, ...args) => socket.log.push(event, args));
  clients.add(socket);
  return socket;
}

// Waits for "connect" (fails on connect_error) then for the "welcome" event.
export async function waitConnected(socket, ms = WAIT) {
  if (!socket.connected) {
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
      "the socket.io-client to connect",
    );
  }
  const welcome = await socket.log.take("welcome", ms, "the welcome event");
  assert.deepEqual(welcome.args, [{ id: socket.id, recovered: false }], "welcome carries the socket id");
  return socket;
}

export async function openClient(server, nsp = "/", opts = {}, name = nsp) {
  return waitConnected(connectClient(server, nsp, opts, name));
}

let echoSeq = 0;
// Emits "echo" with a unique marker and waits for it to come back.
export async function assertEchoes(socket, ms = WAIT) {
  const n = ++echoSeq;
  const marker = `echo-check-${process.pid}-${n}`;
  socket.emit("echo", marker, { n });
  const ev = await socket.log.take(
    (e) => e.event === "echo" && e.args[0] === marker,
    ms,
    `the echo of ${marker}`,
  );
  assert.deepEqual(ev.args, [marker, { n }]);
}

export function closeAllClients() {
  for (const s of clients) {
    s.io.opts.reconnection = false;
    s.io.reconnection(false);
    s.disconnect();
    s.io.engine?.close();
  }
  clients.clear();
}

// Converts a received binary value (Buffer / ArrayBuffer / typed array) to a Buffer,
// failing if it is not binary.
export function toBuffer(value, what = "value") {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  assert.fail(`${what} should be binary, got ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------
// Raw WebSocket (npm `ws`)
// ---------------------------------------------------------------------------

const rawSockets = new Set();

export class RawWs {
  constructor(url, opts) {
    this.url = url;
    this.events = []; // { type: "message", data, isBinary } | { type: "close", code, reason }
    this.waiters = [];
    this.errors = [];
    this.closed = false;
    this.closeInfo = null;
    this.ws = new WebSocket(url, opts);
    rawSockets.add(this);
    this.openPromise = new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("close", () => reject(new Error(`WebSocket ${url} closed before opening`)));
    });
    this.openPromise.catch(() => {});
    this.ws.on("message", (data, isBinary) =>
      this.push({ type: "message", isBinary, data: isBinary ? Buffer.from(data) : data.toString("utf8") }),
    );
    this.ws.on("close", (code, reason) => {
      this.closed = true;
      this.closeInfo = { code, reason: reason.toString() };
      rawSockets.delete(this);
      this.push({ type: "close", code, reason: reason.toString() });
    });
    this.ws.on("error", (err) => this.errors.push(err));
  }
  push(ev) {
    const w = this.waiters.shift();
    if (w) w(ev);
    else this.events.push(ev);
  }
  nextEvent(ms = WAIT, what = "a WebSocket event") {
    if (this.events.length) return Promise.resolve(this.events.shift());
    let waiter;
    const p = new Promise((resolve) => {
      waiter = resolve;
      this.waiters.push(resolve);
    });
    return withTimeout(p, ms, `${what} on ${this.url}`).catch((err) => {
      const i = this.waiters.indexOf(waiter);
      if (i !== -1) this.waiters.splice(i, 1);
      throw err;
    });
  }
  // Next text message, skipping Engine.IO pings ("2"); fails if the socket closes.
  async nextText(ms = WAIT, what = "a text message") {
    const deadline = Date.now() + ms;
    for (;;) {
      const ev = await this.nextEvent(Math.max(1, deadline - Date.now()), what);
      if (ev.type === "close") {
        this.events.unshift(ev);
        throw new Error(`WebSocket closed (code ${ev.code}) while waiting for ${what}`);
      }
      if (ev.isBinary) throw new Error(`expected a text frame, got binary ${ev.data.toString("hex")}`);
      if (ev.data === "2") continue;
      return ev.data;
    }
  }
  // Waits for the close event; returns { code, reason, before: [messages] }.
  async waitClose(ms = WAIT, what = "the server to close the WebSocket") {
    const deadline = Date.now() + ms;
    const before = [];
    for (;;) {
      const ev = await this.nextEvent(Math.max(1, deadline - Date.now()), what);
      if (ev.type === "close") return { code: ev.code, reason: ev.reason, before };
      before.push(ev);
    }
  }
  send(data, opts) {
    this.ws.send(data, opts);
  }
  terminate() {
    if (!this.closed) this.ws.terminate();
  }
}

// Opens a raw Engine.IO WebSocket session on /socket.io/ and returns { ws, open }.
// With connect: true, also connects to the main namespace ("40" → "40{sid}" + welcome).
export async function openRawSession(server, { connect = true, ms = WAIT } = {}) {
  const ws = new RawWs(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`);
  const first = await ws.nextText(ms, "the Engine.IO open packet");
  assert.ok(first.startsWith("0{"), `expected an open packet, got ${JSON.stringify(first)}`);
  const open = JSON.parse(first.slice(1));
  if (connect) {
    ws.send("40");
    const ack = await ws.nextText(ms, "the Socket.IO CONNECT answer");
    assert.ok(ack.startsWith("40{"), `expected 40{...}, got ${JSON.stringify(ack)}`);
    const welcome = await ws.nextText(ms, "the welcome event");
    assert.ok(welcome.startsWith('42["welcome"'), `expected the welcome event, got ${JSON.stringify(welcome)}`);
  }
  return { ws, open };
}

export function closeAllRaw() {
  for (const s of rawSockets) s.terminate();
  rawSockets.clear();
  for (const s of rawFrameSockets) s.destroy();
  rawFrameSockets.clear();
}

// ---------------------------------------------------------------------------
// Raw frames over a plain TCP socket
// ---------------------------------------------------------------------------

const rawFrameSockets = new Set();

// Encodes one WebSocket frame. Client frames are masked unless mask === false.
export function encodeFrame(opcode, payload, { mask = true, fin = true } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const len = data.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

// A WebSocket client written by hand over net.Socket: performs the HTTP upgrade,
// decodes the (unmasked) server frames, and lets the test write arbitrary bytes.
export class RawFrameSocket {
  constructor(server, pathAndQuery = "/socket.io/?EIO=4&transport=websocket") {
    this.server = server;
    this.path = pathAndQuery;
    this.frames = []; // { opcode, payload }
    this.waiters = [];
    this.buf = Buffer.alloc(0);
    this.upgraded = false;
    this.closeFrame = null; // { code, reason } once the server sent a close frame
    this.tcpClosed = false;
    rawFrameSockets.add(this);
  }

  async connect(ms = WAIT) {
    this.sock = net.connect({ host: this.server.host.replace(/^\[|\]$/g, ""), port: this.server.port });
    this.sock.on("error", () => {}); // resets are expected in the bad-input tests
    this.closedPromise = new Promise((resolve) =>
      this.sock.once("close", () => {
        this.tcpClosed = true;
        rawFrameSockets.delete(this);
        resolve();
      }),
    );
    const upgraded = new Promise((resolve, reject) => {
      this.sock.on("data", (chunk) => {
        this.buf = Buffer.concat([this.buf, chunk]);
        if (!this.upgraded) {
          const end = this.buf.indexOf("\r\n\r\n");
          if (end === -1) return;
          const head = this.buf.subarray(0, end).toString("latin1");
          this.buf = this.buf.subarray(end + 4);
          if (!/^HTTP\/1\.1 101/.test(head)) return reject(new Error(`upgrade refused: ${head}`));
          this.upgraded = true;
          resolve();
        }
        this.parseFrames();
      });
      this.closedPromise.then(() => reject(new Error("TCP connection closed during the upgrade")));
    });
    await withTimeout(
      new Promise((resolve, reject) => {
        this.sock.once("connect", resolve);
        this.sock.once("error", reject);
      }),
      ms,
      "the TCP connection",
    );
    const key = randomBytes(16).toString("base64");
    this.sock.write(
      `GET ${this.path} HTTP/1.1\r\n` +
        `Host: ${this.server.host}:${this.server.port}\r\n` +
        "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await withTimeout(upgraded, ms, "the 101 Switching Protocols answer");
    return this;
  }

  parseFrames() {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (b1 & 0x80) off += 4; // a server must not mask, but skip a key anyway
      if (this.buf.length < off + len) return;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      this.buf = this.buf.subarray(off + len);
      const frame = { opcode: b0 & 0x0f, payload };
      if (frame.opcode === 0x8) {
        this.closeFrame = {
          code: payload.length >= 2 ? payload.readUInt16BE(0) : null,
          reason: payload.length > 2 ? payload.subarray(2).toString("utf8") : "",
        };
        // answer like a well-behaved client, then let the server close TCP
        if (!this.tcpClosed && this.sock.writable) this.sock.write(encodeFrame(0x8, payload.subarray(0, 2)));
      }
      const w = this.waiters.shift();
      if (w) w(frame);
      else this.frames.push(frame);
    }
  }

  nextFrame(ms = WAIT, what = "a frame") {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    let waiter;
    const p = new Promise((resolve) => {
      waiter = resolve;
      this.waiters.push(resolve);
    });
    return withTimeout(p, ms, what).catch((err) => {
      const i = this.waiters.indexOf(waiter);
      if (i !== -1) this.waiters.splice(i, 1);
      throw err;
    });
  }

  async nextText(ms = WAIT, what = "a text frame") {
    const deadline = Date.now() + ms;
    for (;;) {
      const f = await this.nextFrame(Math.max(1, deadline - Date.now()), what);
      assert.equal(f.opcode, 0x1, `expected a text frame while waiting for ${what}, got opcode ${f.opcode}`);
      const text = f.payload.toString("utf8");
      if (text === "2") continue;
      return text;
    }
  }

  // Engine.IO open + Socket.IO connect to "/", as openRawSession() does.
  async handshake(ms = WAIT) {
    const open = await this.nextText(ms, "the Engine.IO open packet");
    assert.ok(open.startsWith("0{"), `expected an open packet, got ${JSON.stringify(open)}`);
    this.sendText("40");
    const ack = await this.nextText(ms, "the Socket.IO CONNECT answer");
    assert.ok(ack.startsWith("40{"), `expected 40{...}, got ${JSON.stringify(ack)}`);
    const welcome = await this.nextText(ms, "the welcome event");
    assert.ok(welcome.startsWith('42["welcome"'), `expected welcome, got ${JSON.stringify(welcome)}`);
  }

  sendText(text) {
    this.sock.write(encodeFrame(0x1, text));
  }

  write(bytes) {
    this.sock.write(bytes);
  }

  // Waits until the server has closed the TCP connection.
  waitTcpClose(ms = WAIT, what = "the server to close the TCP connection") {
    return withTimeout(this.closedPromise, ms, what);
  }

  destroy() {
    this.sock?.destroy();
  }
}
