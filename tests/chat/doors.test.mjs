// Doors an unauthenticated client could push on, one rule per test (docs/security.md, "What an
// unauthenticated client can make the server hold" and "What is authenticated"):
//   1. JSON parsing is linear: a CONNECT `auth` or a published `data` of 100,000 keys is answered
//      within a bound while another client's acks go on (one event-loop thread).
//   2. Half-open HTTP connections: past --max-waiting-per-address, or past --max-connections, a
//      silent connection is closed at once, so they cannot use up the descriptors.
//   3. A binary packet whose attachments never all arrive: closed at the ping timeout; attachments
//      adding up to more than --max-payload: closed when the total passes it.
//   4. Key guessing: --auth-failure-limit counts refused API keys, dashboard keys and tokens per
//      address; past it 429 / connect_error rate_limited, the right key included.
//   5. A connection that keeps sending refused CONNECTs is closed.
//   6. Request smuggling: an unknown Transfer-Encoding, or chunked with Content-Length → 400, close.
//   7. Static files: dotfiles, package.json, node_modules and symbolic links out of the root → 404.
//   8. Configuration: unknown keys and bad values exit 2 naming them; env lists; --help.
//   9. The API gate without a key: loopback only, and not through a proxy (Forwarded,
//      X-Forwarded-For, a foreign Host); with --api-key the key alone decides.
//
// Raw Engine.IO over WebSocket (npm `ws`): a text frame is the Engine.IO type then the payload
// ("4" message + Socket.IO "0" CONNECT = "40{...}"); a binary frame is an attachment as it is.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import WebSocket from "ws";
import {
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  configFile,
  connectError,
  connectUser,
  freshDataDir,
  join,
  jwt,
  openUser,
  rawHttp,
  runToExit,
  startChat,
  uniqueRoom,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

// ---------------------------------------------------------------------------
// Helpers of this file
// ---------------------------------------------------------------------------

// A raw Engine.IO WebSocket: every frame queued ({text} or {binary}), pings ("2") answered with
// pongs ("3") unless { answerPings: false }; `closed` resolves with {code, at} when it closes.
class RawEio {
  constructor(server, { answerPings = true } = {}) {
    this.ws = new WebSocket(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`);
    this.frames = [];
    this.waiters = [];
    this.pings = 0;
    this.closedAt = undefined;
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code) => {
        this.closedAt = Date.now();
        resolve({ code, at: this.closedAt });
        for (const w of this.waiters.splice(0)) w.reject(new Error(`WebSocket closed (${code}) while waiting for ${w.what}`));
      });
    });
    this.ws.on("error", () => {}); // a reset shows up as `close` too
    this.ws.on("message", (data, isBinary) => {
      const frame = isBinary ? { binary: Buffer.from(data) } : { text: data.toString() };
      if (frame.text === "2") {
        this.pings++;
        if (answerPings && this.ws.readyState === WebSocket.OPEN) this.ws.send("3");
      }
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i !== -1) return this.waiters.splice(i, 1)[0].resolve(frame);
      this.frames.push(frame);
    });
  }
  get isOpen() {
    return this.closedAt === undefined;
  }
  // The first queued or coming frame matching `match` (a prefix of a text frame, or a predicate).
  next(match, ms = WAIT, what = JSON.stringify(match)) {
    const m = typeof match === "string" ? (f) => f.text?.startsWith(match) : match;
    const i = this.frames.findIndex(m);
    if (i !== -1) return Promise.resolve(this.frames.splice(i, 1)[0]);
    if (!this.isOpen) return Promise.reject(new Error(`WebSocket already closed, no ${what}`));
    let waiter;
    const p = new Promise((resolve, reject) => {
      waiter = { match: m, resolve, reject, what };
      this.waiters.push(waiter);
    });
    return withTimeout(p, ms, `${what} on a raw WebSocket`).catch((err) => {
      const j = this.waiters.indexOf(waiter);
      if (j !== -1) this.waiters.splice(j, 1);
      err.message += `\n  (queued frames: ${JSON.stringify(this.frames.map((f) => f.text ?? `<${f.binary.length} bytes>`))})`;
      throw err;
    });
  }
  // Sends a frame; resolves once `ws` has handed it to the socket.
  send(data) {
    return new Promise((resolve, reject) => this.ws.send(data, (err) => (err ? reject(err) : resolve())));
  }
  // Waits (bounded) for the close.
  waitClosed(ms, what) {
    return withTimeout(this.closed, ms, what);
  }
  // The open packet, then a CONNECT of `auth` to "/" and its answer ("40{sid}" or "44{error}").
  async connect(auth = { name: "ada" }) {
    const open = await this.next("0{", WAIT, "the Engine.IO open packet");
    await this.send(`40${JSON.stringify(auth)}`);
    const answer = await this.next((f) => /^4[04]/.test(f.text ?? ""), WAIT, "the CONNECT answer");
    return { open: JSON.parse(open.text.slice(1)), answer: answer.text };
  }
  terminate() {
    this.ws.terminate();
  }
}

const raws = new Set();
function rawEio(server, opts) {
  const r = new RawEio(server, opts);
  raws.add(r);
  return r;
}
function closeRaws() {
  for (const r of raws) r.terminate();
  raws.clear();
}

// Writes `request` on a new TCP connection and reads everything until the server closes it;
// fails if it is still open after `ms`. Returns { text, statuses: [every "HTTP/1.x NNN" in it] }.
function httpUntilClose(server, request, ms = WAIT) {
  const sock = net.connect({ host: "127.0.0.1", port: server.port });
  let buf = Buffer.alloc(0);
  return withTimeout(
    new Promise((resolve) => {
      sock.on("connect", () => sock.write(request));
      sock.on("data", (c) => (buf = Buffer.concat([buf, c])));
      sock.on("error", () => {}); // a reset after the answer: `close` follows
      sock.on("close", () => {
        const text = buf.toString("latin1");
        resolve({ text, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])) });
      });
    }),
    ms,
    "the server to answer and close the connection",
  ).catch((err) => {
    err.message += `\n  (received so far: ${JSON.stringify(buf.toString("latin1"))})`;
    throw err;
  }).finally(() => sock.destroy());
}

// Opens `n` TCP connections to the server from `localAddress` that send nothing. Returns
// { sockets, closedByServer() (how many the server has closed), untilClosed(k, ms), destroy() }.
async function silentConnections(server, n, localAddress) {
  const sockets = [];
  let closed = 0;
  let waiter;
  const connected = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: "127.0.0.1", port: server.port, localAddress });
    s.byUs = false;
    s.on("error", () => {});
    s.on("close", () => {
      if (s.byUs) return;
      closed++;
      if (waiter && closed >= waiter.k) waiter.resolve();
    });
    sockets.push(s);
    connected.push(
      new Promise((resolve) => {
        s.once("connect", resolve);
        s.once("close", resolve);
      }),
    );
  }
  await withTimeout(Promise.all(connected), WAIT * 2, `${n} TCP connections from ${localAddress}`);
  return {
    sockets,
    closedByServer: () => closed,
    untilClosed(k, ms) {
      if (closed >= k) return Promise.resolve();
      return withTimeout(new Promise((resolve) => (waiter = { k, resolve })), ms, `the server to close ${k} of ${n} silent connections`)
        .catch((err) => {
          err.message += ` (it closed ${closed})`;
          throw err;
        });
    },
    destroy() {
      for (const s of sockets) {
        s.byUs = true;
        s.destroy();
      }
    },
  };
}


function manyKeys(n, value = (i) => i) {
  const obj = {};
  for (let i = 0; i < n; i++) obj[`k${i}`] = value(i);
  return obj;
}

const get = (target, headers = "") => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`;

// ---------------------------------------------------------------------------
// 1. Linear parsing
// ---------------------------------------------------------------------------

describe("1. 100,000 keys are parsed in linear time (--threads 1 --max-payload 2000000)", { timeout: TEST_TIMEOUT }, () => {
  const BOUND = 5000;
  const N = 100000;
  // one event loop: a parse that held it would hold the witness's acks too
  const server = withChat(["--threads", "1", "--max-payload", "2000000", "--rate-limit", "0", "--event-rate-limit", "0"]);
  let witness;
  const room = uniqueRoom("linear");
  before(async () => {
    witness = await openUser(server, "witness");
    await join(witness, room);
  });
  after(closeRaws);

  test("a CONNECT whose auth has 100,000 keys (no name) → connect_error unauthorized within 5 s; another client's ack is answered meanwhile", async () => {
    const auth = manyKeys(N, () => 0);
    const text = `40${JSON.stringify(auth)}`;
    assert.ok(text.length > 1000000 && text.length < 2000000, `CONNECT of ${text.length} bytes`);
    const raw = rawEio(server);
    await raw.next("0{", WAIT, "the open packet");
    const t0 = Date.now();
    await raw.send(text);
    // sent after the big frame, on the same event loop
    const [answer, history] = await Promise.all([
      raw.next("44", BOUND, "the connect_error of the big CONNECT"),
      withTimeout(witness.emitWithAck("history", { room }), BOUND, "the witness's history ack"),
    ]);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < BOUND, `answered after ${elapsed} ms`);
    const err = JSON.parse(answer.text.slice(2));
    assert.equal(err.message, "unauthorized", answer.text);
    assert.equal(history?.ok, true, JSON.stringify(history));
    assert.equal(witness.connected, true);
  });

  test("POST /api/publish with data of 100,000 keys → 200 within 5 s; a member gets every key in order; acks go on meanwhile", async () => {
    const data = manyKeys(N);
    const t0 = Date.now();
    const [res, history] = await Promise.all([
      api(server, "/api/publish", { json: { room, event: "big", data }, timeout: BOUND }),
      withTimeout(witness.emitWithAck("history", { room }), BOUND, "the witness's history ack"),
    ]);
    assert.equal(res.status, 200, res.text);
    assert.ok(Date.now() - t0 < BOUND, `answered after ${Date.now() - t0} ms`);
    assert.equal(history?.ok, true, JSON.stringify(history));
    const ev = await witness.log.take("big", BOUND, "the published event");
    const got = ev.args[0];
    const keys = Object.keys(got);
    assert.equal(keys.length, N, "every key delivered");
    assert.equal(keys[0], "k0");
    assert.equal(keys[N - 1], `k${N - 1}`);
    assert.equal(keys[N / 2], `k${N / 2}`, "the keys keep their order");
    assert.equal(got[`k${N - 1}`], N - 1);
  });
});

// ---------------------------------------------------------------------------
// 2. Half-open HTTP connections
// ---------------------------------------------------------------------------

describe("2. silent connections cannot take every descriptor (ulimit -n 256)", { timeout: 40000 }, () => {
  let server;
  let conns;
  afterEach(async () => {
    conns?.destroy();
    conns = undefined;
    closeAllClients();
    await server?.stop();
    server = undefined;
  });

  test("--max-waiting-per-address 50: of 300 silent connections from 127.0.0.2, the server closes ≥ 250 at once; 127.0.0.1 still connects and joins", async () => {
    server = await startChat(["--max-waiting-per-address", "50"], { descriptorLimit: 256 });
    conns = await silentConnections(server, 300, "127.0.0.2");
    await conns.untilClosed(250, WAIT * 2);
    const ada = await openUser(server, "ada");
    await join(ada, uniqueRoom("halfopen"));
    const open = conns.sockets.filter((s) => !s.destroyed).length;
    assert.ok(open <= 50, `${open} silent connections from one address are still open, over the limit of 50`);
    assert.ok(open > 0, "the connections under the limit stay open");
    assert.equal(server.alive(), true);
  });

  // Past the limit, 64 more are let in (main.cpp's answer_headroom) so that a handshake at the
  // limit is answered 503; the rest are closed at once.
  test("--max-connections 100 --max-waiting-per-address 0: of 200 silent connections at most 164 stay open; /healthz answers once they are closed", async () => {
    server = await startChat(["--max-connections", "100", "--max-waiting-per-address", "0"], { descriptorLimit: 256 });
    conns = await silentConnections(server, 200, "127.0.0.2");
    await conns.untilClosed(36, WAIT * 2);
    const open = conns.sockets.filter((s) => !s.destroyed).length;
    assert.ok(open <= 164, `${open} silent connections open, over --max-connections 100 and its headroom of 64`);
    // the node is full: a new connection is closed (or answered 503), not left hanging
    const whileFull = await httpUntilClose(server, get("/healthz"));
    assert.ok(
      whileFull.statuses.length === 0 || whileFull.statuses[0] === 503,
      `/healthz on a full node: ${JSON.stringify(whileFull.text)}`,
    );
    conns.destroy();
    conns = undefined;
    // the node frees their places as it sees them close: bounded retries, each answered or closed
    const deadline = Date.now() + WAIT;
    let last;
    for (;;) {
      last = await rawHttp(server, get("/healthz")).catch((err) => ({ status: 0, body: Buffer.from(err.message) }));
      if (last.status === 200 || Date.now() > deadline) break;
    }
    assert.equal(last.status, 200, `/healthz after the silent connections closed: ${last.status} ${last.body}`);
    assert.equal(server.alive(), true);
  });
});

// ---------------------------------------------------------------------------
// 3. Binary packets whose attachments do not all arrive
// ---------------------------------------------------------------------------

const binaryHeader = (n, event = "x") =>
  `45${n}-${JSON.stringify([event, ...Array.from({ length: n }, (_, num) => ({ _placeholder: true, num }))])}`;

describe("3a. attachments that never all arrive (--ping-interval 300 --ping-timeout 200)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--ping-interval", "300", "--ping-timeout", "200", "--rate-limit", "0", "--event-rate-limit", "0"]);
  after(closeRaws);

  test("3 announced, 2 sent: closed after the ping timeout (200 ms) and within a few seconds, though it answers every ping", async () => {
    const control = rawEio(server); // answers pings, sends nothing else
    const raw = rawEio(server);
    assert.match((await control.connect()).answer, /^40/);
    assert.match((await raw.connect()).answer, /^40/);
    const t0 = Date.now();
    await raw.send(binaryHeader(3));
    await raw.send(Buffer.from([1, 2, 3]));
    await raw.send(Buffer.from([4, 5, 6]));
    const { at } = await raw.waitClosed(WAIT, "the server to close a packet missing an attachment");
    const elapsed = at - t0;
    assert.ok(elapsed >= 200, `closed after ${elapsed} ms, before the 200 ms deadline`);
    assert.ok(elapsed < WAIT, `closed after ${elapsed} ms`);
    // the pings were answered, so the ping timeout was not what closed it: the control, which did
    // the same minus the packet, lives on through another ping
    const pings = control.pings;
    await control.next("2", WAIT, "another ping on the control connection");
    assert.ok(control.pings > pings);
    assert.equal(control.isOpen, true, "a connection that answers its pings is kept");
  });

  test("sanity: a binary event whose 3 attachments all arrive keeps the connection; a later ack is answered", async () => {
    const raw = rawEio(server);
    assert.match((await raw.connect()).answer, /^40/);
    await raw.send(binaryHeader(3));
    for (let i = 0; i < 3; i++) await raw.send(Buffer.from([i]));
    const room = uniqueRoom("bin");
    await raw.send(`421${JSON.stringify(["join", room])}`);
    const res = await raw.next("431", WAIT, "the join ack");
    assert.equal(JSON.parse(res.text.slice(3))[0]?.ok, true, res.text);
    assert.equal(raw.isOpen, true);
  });
});

describe("3b. attachments over --max-payload 100000 (--ping-timeout 20000)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--max-payload", "100000", "--rate-limit", "0", "--event-rate-limit", "0"]);
  after(closeRaws);

  test("3 attachments of 60,000 bytes: closed as the total passes 100,000, long before the ping timeout", async () => {
    const raw = rawEio(server);
    assert.match((await raw.connect()).answer, /^40/);
    const t0 = Date.now();
    await raw.send(binaryHeader(3));
    await raw.send(Buffer.alloc(60000, 1));
    await raw.send(Buffer.alloc(60000, 2)).catch(() => {});
    await raw.send(Buffer.alloc(60000, 3)).catch(() => {}); // may find it closed already
    const { at } = await raw.waitClosed(WAIT, "the server to close attachments over --max-payload");
    assert.ok(at - t0 < WAIT, `closed after ${at - t0} ms`);
  });

  test("sanity: 3 attachments of 30,000 bytes (under the limit together) are accepted; a later ack is answered", async () => {
    const raw = rawEio(server);
    assert.match((await raw.connect()).answer, /^40/);
    await raw.send(binaryHeader(3));
    for (let i = 0; i < 3; i++) await raw.send(Buffer.alloc(30000, i));
    await raw.send(`421${JSON.stringify(["join", uniqueRoom("bin")])}`);
    const res = await raw.next("431", WAIT, "the join ack");
    assert.equal(JSON.parse(res.text.slice(3))[0]?.ok, true, res.text);
    assert.equal(raw.isOpen, true);
  });
});

// ---------------------------------------------------------------------------
// 4. Key guessing
// ---------------------------------------------------------------------------

function assertRetryAfter(value, what) {
  assert.match(value ?? "", /^[1-9]\d*$/, `${what}: Retry-After should be a positive number of seconds, got ${value}`);
}

describe("4a. --api-key secret --auth-failure-limit 5: the API", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-key", "secret", "--auth-failure-limit", "5"]);

  test("5 wrong keys → 401; the 6th and later → 429 with Retry-After; then the right key → 429 too", async () => {
    const rooms = (key) => api(server, "/api/rooms", { headers: { authorization: `Bearer ${key}` } });
    for (let i = 1; i <= 5; i++) {
      const res = await rooms(`wrong-${i}`);
      assert.equal(res.status, 401, `wrong key ${i}: ${res.status} ${res.text}`);
    }
    for (let i = 6; i <= 7; i++) {
      const res = await rooms(`wrong-${i}`);
      assert.equal(res.status, 429, `wrong key ${i}: ${res.status} ${res.text}`);
      assertRetryAfter(res.headers.get("retry-after"), `wrong key ${i}`);
      assert.equal(res.json?.error, "rate_limited", res.text);
    }
    const right = await rooms("secret");
    assert.equal(right.status, 429, `the right key from a locked-out address: ${right.status} ${right.text}`);
    assertRetryAfter(right.headers.get("retry-after"), "the right key");
  });
});

describe("4b. --api-key secret --auth-failure-limit 5: the dashboard", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-key", "secret", "--auth-failure-limit", "5"]);
  afterEach(() => closeAllClients());

  test("5 wrong dashboard keys → connect_error unauthorized; the 6th → rate_limited; then the right key too", async () => {
    for (let i = 1; i <= 5; i++) {
      const err = await connectError(connectUser(server, { key: `wrong-${i}` }, { nsp: "/admin" }, `admin wrong ${i}`));
      assert.equal(err.data?.error, "unauthorized", `wrong key ${i}: ${err.message} ${JSON.stringify(err.data)}`);
    }
    const sixth = await connectError(connectUser(server, { key: "wrong-6" }, { nsp: "/admin" }, "admin wrong 6"));
    assert.equal(sixth.data?.error, "rate_limited", `6th: ${sixth.message} ${JSON.stringify(sixth.data)}`);
    const right = await connectError(connectUser(server, { key: "secret" }, { nsp: "/admin" }, "admin right"));
    assert.equal(right.data?.error, "rate_limited", `the right key: ${right.message} ${JSON.stringify(right.data)}`);
  });
});

describe("4c. --api-key secret --auth-failure-limit 5: one budget for API and dashboard keys", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-key", "secret", "--auth-failure-limit", "5"]);
  afterEach(() => closeAllClients());

  test("3 wrong API keys and 2 wrong dashboard keys use it up: the next API request → 429", async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await api(server, "/api/rooms", { headers: { authorization: `Bearer wrong-${i}` } });
      assert.equal(res.status, 401, `wrong API key ${i}: ${res.status}`);
    }
    for (let i = 4; i <= 5; i++) {
      const err = await connectError(connectUser(server, { key: `wrong-${i}` }, { nsp: "/admin" }, `admin wrong ${i}`));
      assert.equal(err.data?.error, "unauthorized", `wrong dashboard key ${i}: ${JSON.stringify(err.data)}`);
    }
    const res = await api(server, "/api/rooms", { headers: { authorization: "Bearer wrong-6" } });
    assert.equal(res.status, 429, `6th refused key: ${res.status} ${res.text}`);
  });
});

describe("4d. --jwt-secret s --auth-failure-limit 3: tokens", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--jwt-secret", "s", "--auth-failure-limit", "3"]);
  afterEach(() => closeAllClients());

  test("3 badly signed tokens → invalid_token; the 4th → rate_limited", async () => {
    for (let i = 1; i <= 4; i++) {
      const token = jwt({ sub: `user${i}` }, "not-the-secret");
      const err = await connectError(connectUser(server, { token }, {}, `bad token ${i}`));
      const expected = i <= 3 ? "invalid_token" : "rate_limited";
      assert.equal(err.data?.error, expected, `token ${i}: ${err.message} ${JSON.stringify(err.data)}`);
    }
  });
});

// ---------------------------------------------------------------------------
// 5. Refused CONNECTs on one connection
// ---------------------------------------------------------------------------

describe("5. a connection that keeps sending refused CONNECTs", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat([]);
  after(closeRaws);

  test('11 CONNECTs 40{"name":""}: at least 10 connect_errors, then the server closes the connection', async () => {
    const raw = rawEio(server);
    await raw.next("0{", WAIT, "the open packet");
    let refused = 0;
    for (let i = 1; i <= 11; i++) {
      assert.equal(raw.isOpen, true, `closed before CONNECT ${i} (after ${refused} connect_errors)`);
      await raw.send('40{"name":""}');
      const answer = await raw.next((f) => /^4[04]/.test(f.text ?? ""), WAIT, `the answer to CONNECT ${i}`).catch((err) => {
        if (raw.isOpen) throw err;
        return undefined; // closed instead of answering
      });
      if (!answer) break;
      assert.match(answer.text, /^44\{/, `CONNECT ${i}: ${answer.text}`);
      assert.equal(JSON.parse(answer.text.slice(2)).message, "unauthorized", answer.text);
      refused++;
    }
    assert.ok(refused >= 10, `only ${refused} connect_errors before the close`);
    await raw.waitClosed(WAIT, "the server to close after 11 refused CONNECTs");
  });
});

// ---------------------------------------------------------------------------
// 6. Transfer-Encoding
// ---------------------------------------------------------------------------

describe("6. Transfer-Encoding the server does not frame by", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat([]);

  test("Transfer-Encoding: xchunked → one response, 400, and the connection closes (no smuggled GET)", async () => {
    const res = await httpUntilClose(
      server,
      "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\nContent-Type: application/json\r\n\r\n" +
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert.deepEqual(res.statuses, [400], `responses: ${JSON.stringify(res.text)}`);
    assert.ok(!res.text.includes('"status":"ok"'), "the smuggled /healthz was answered");
  });

  test("Transfer-Encoding: chunked with Content-Length → 400, and the connection closes", async () => {
    const res = await httpUntilClose(
      server,
      "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n" +
        'Transfer-Encoding: chunked\r\n\r\n14\r\n{"event":"smuggled"}\r\n0\r\n\r\n',
    );
    assert.deepEqual(res.statuses, [400], `responses: ${JSON.stringify(res.text)}`);
  });
});

// ---------------------------------------------------------------------------
// 7. Static files
// ---------------------------------------------------------------------------

describe("7. static files: hidden files and symbolic links out of --web-root", { timeout: TEST_TIMEOUT }, () => {
  let top;
  const SECRET = `outside-${process.pid}-${Date.now()}`;
  before(() => {
    // <top>/web is the web root; <top>/outside.html sits next to it
    top = mkdtempSync(path.join(os.tmpdir(), "switchboard-doors-"));
    const web = path.join(top, "web");
    mkdirSync(path.join(web, ".git"), { recursive: true });
    mkdirSync(path.join(web, "node_modules", "x"), { recursive: true });
    writeFileSync(path.join(web, "index.html"), "<!doctype html>inside-index\n");
    writeFileSync(path.join(web, ".env"), `API_KEY=${SECRET}\n`);
    writeFileSync(path.join(web, ".git", "config"), `[core]\n# ${SECRET}\n`);
    writeFileSync(path.join(web, "package.json"), `{"name":"${SECRET}"}\n`);
    writeFileSync(path.join(web, "node_modules", "x", "index.js"), `// ${SECRET}\n`);
    writeFileSync(path.join(top, "outside.html"), `<!doctype html>${SECRET}\n`);
    symlinkSync(path.join(top, "outside.html"), path.join(web, "out.html"));
    symlinkSync("..", path.join(web, "up"));
    symlinkSync("index.html", path.join(web, "in.html"));
  });
  const server = withChat(() => ["--web-root", path.join(top, "web")]);
  after(() => {
    if (top) rmSync(top, { recursive: true, force: true });
  });

  for (const target of ["/.env", "/.git/config", "/package.json", "/node_modules/x/index.js", "/out.html", "/up/outside.html"]) {
    test(`GET ${target} → 404`, async () => {
      const res = await rawHttp(server, get(target));
      assert.ok(!res.body.toString("latin1").includes(SECRET), `served ${target}: ${res.status}`);
      assert.equal(res.status, 404, `${target}: ${res.status} ${res.body.toString("latin1").slice(0, 200)}`);
    });
  }

  test("GET /in.html (a link inside the root) and / → 200 with index.html", async () => {
    for (const target of ["/in.html", "/"]) {
      const res = await rawHttp(server, get(target));
      assert.equal(res.status, 200, `${target}: ${res.status}`);
      assert.match(res.body.toString(), /inside-index/, target);
    }
  });
});

// ---------------------------------------------------------------------------
// 8. Configuration
// ---------------------------------------------------------------------------

describe("8. configuration", { timeout: 30000 }, () => {
  const dir = freshDataDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (text) => {
    const file = configFile(text);
    return runToExit(["--config", file, "--port", "0", "--data-dir", dir]).then((r) => ({ ...r, file }));
  };

  test("an unknown key on line 3 → exit 2 naming the key, the file and line 3", async () => {
    const r = await run('# switchboard\nport = 0\napi-kye = "x"\n');
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /api-kye/, r.output);
    assert.ok(r.output.includes(r.file), `the file is not named: ${r.output}`);
    assert.match(r.output, /\bline 3\b|:3\b/, `line 3 is not named: ${r.output}`);
  });

  test('port = "abc" on line 2 → exit 2 naming the file, line 2 and port', async () => {
    // no --port on the command line: a flag wins over the file, so the file's value would not be read
    const file = configFile('# a comment\nport = "abc"\n');
    const r = await runToExit(["--config", file, "--host", "127.0.0.1", "--data-dir", dir]);
    assert.equal(r.code, 2, r.output);
    assert.ok(r.output.includes(`${file}:2: port:`), r.output);
  });

  test('[[rooms]] join = "hook" without --join-hook → exit 2 naming the rule and the flag', async () => {
    const r = await run('[[rooms]]\nmatch = "a*"\njoin = "hook"\n');
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /match = "a\*"/, r.output);
    assert.match(r.output, /--join-hook/, r.output);
  });

  test("[[rooms]] with an unknown key → exit 2 naming it", async () => {
    const r = await run('[[rooms]]\nmatch = "a*"\nmax-membres = 3\n');
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /max-membres/, r.output);
  });

  test("SWITCHBOARD_CORS_ORIGIN as a comma list: both origins are allowed, another is not", async () => {
    const server = await startChat([], { env: { SWITCHBOARD_CORS_ORIGIN: "https://a.example,https://b.example" } });
    try {
      const handshake = (origin) => api(server, "/socket.io/?EIO=4&transport=polling", { headers: { origin } });
      for (const origin of ["https://a.example", "https://b.example"]) {
        const res = await handshake(origin);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get("access-control-allow-origin"), origin, origin);
      }
      const other = await handshake("https://c.example");
      const allowed = other.headers.get("access-control-allow-origin");
      assert.ok(allowed !== "https://c.example" && allowed !== "*", `c.example allowed: ${allowed}`);
    } finally {
      await server.stop();
    }
  });

  test("--help: exit 0, the usage line starts with switchboard", async () => {
    const r = await runToExit(["--help"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^Usage: switchboard\b/m, r.output.slice(0, 300));
  });
});

// ---------------------------------------------------------------------------
// 9. The API gate
// ---------------------------------------------------------------------------

describe("9a. the API and dashboard without --api-key: loopback, and not through a proxy", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat([]);
  afterEach(() => closeAllClients());

  const rooms = (headers = "", host = "127.0.0.1") =>
    rawHttp(server, `GET /api/rooms HTTP/1.1\r\nHost: ${host}\r\n${headers}Connection: close\r\n\r\n`);

  test("a plain request from 127.0.0.1 → 200", async () => {
    const res = await rooms();
    assert.equal(res.status, 200, res.body.toString());
    assert.ok(Array.isArray(JSON.parse(res.body.toString()).rooms));
  });

  for (const [label, headers, host] of [
    ["X-Forwarded-For: 1.2.3.4", "X-Forwarded-For: 1.2.3.4\r\n"],
    ["Forwarded: for=1.2.3.4", "Forwarded: for=1.2.3.4\r\n"],
    ["Host: evil.example", "", "evil.example"],
  ]) {
    test(`with ${label} → 401 whose message names --api-key`, async () => {
      const res = await rooms(headers, host);
      assert.equal(res.status, 401, `${res.status} ${res.body.toString()}`);
      const body = JSON.parse(res.body.toString());
      assert.equal(body.error, "unauthorized", res.body.toString());
      assert.match(body.message, /--api-key/, res.body.toString());
    });
  }

  test('/admin: a loopback client connects; one with Origin https://evil.example gets connect_error', async () => {
    const ok = await openUser(server, {}, { nsp: "/admin" }, "admin local");
    assert.equal(ok.connected, true);
    const evil = connectUser(server, {}, { nsp: "/admin", extraHeaders: { origin: "https://evil.example" } }, "admin evil origin");
    const err = await connectError(evil);
    assert.equal(evil.connected, false, err.message);
  });
});

describe("9b. --api-key k: the key alone decides", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-key", "k"]);

  test("GET /api/rooms without Authorization → 401; with Bearer k → 200, with X-Forwarded-For too", async () => {
    const none = await api(server, "/api/rooms");
    assert.equal(none.status, 401, none.text);
    const withKey = await api(server, "/api/rooms", { headers: { authorization: "Bearer k" } });
    assert.equal(withKey.status, 200, withKey.text);
    const proxied = await api(server, "/api/rooms", { headers: { authorization: "Bearer k", "x-forwarded-for": "1.2.3.4" } });
    assert.equal(proxied.status, 200, proxied.text);
  });
});

describe("9c. --trusted-proxy: behind a proxy, limits are per real client", { timeout: TEST_TIMEOUT }, () => {
  const args = ["--api-key", "k", "--auth-failure-limit", "2"];
  const trusting = withChat([...args, "--trusted-proxy", "127.0.0.1"]);
  const plain = withChat(args);
  const guess = (server, client) =>
    api(server, "/api/rooms", { headers: { authorization: "Bearer wrong", "x-forwarded-for": `6.6.6.6, ${client}` } });

  test("a trusted proxy's clients have a failure budget each; the proxy's own left part is not believed", async () => {
    for (let i = 0; i < 2; i++) assert.equal((await guess(trusting, "198.51.100.1")).status, 401);
    assert.equal((await guess(trusting, "198.51.100.1")).status, 429, "that client is over its limit");
    assert.equal((await guess(trusting, "198.51.100.2")).status, 401, "another client is not");
  });

  test("without --trusted-proxy the header is not believed: every request counts for the peer", async () => {
    for (let i = 0; i < 2; i++) assert.equal((await guess(plain, `198.51.100.${10 + i}`)).status, 401);
    assert.equal((await guess(plain, "198.51.100.20")).status, 429, "the peer is over its limit");
  });
});
