// Admission limits (src/server/admission.h) and the per-socket limits of the chat:
// --max-connections, --connect-rate and --connect-rate-per-address refuse a new Engine.IO session
// (a request under /socket.io/ without `sid`) with Retry-After and {error, message}: 503 for a full
// node, 429 for a rate (so that a proxy keeps the node in its rotation), while
// the requests of sessions already open are never refused; --event-rate-limit refuses any chat
// event past the socket's budget (rate_limited); --max-rooms-per-socket refuses a join past it
// (too_many_rooms). Every refusal is counted in /metrics.
//
// Client addresses: the server listens on 127.0.0.1, and a client bound to another loopback
// address (127.0.0.N) reaches it from that address, so one machine plays several clients.

import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { afterEach, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  api,
  assertRefusal,
  closeAllClients,
  connectError,
  connectUser,
  historyForAnyone,
  join,
  metric,
  openUser,
  send,
  uniqueRoom,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

const REFUSED = "switchboard_connections_refused_total";

// A bare Engine.IO handshake (GET, polling) from `localAddress`; bounded.
// Returns { status, headers (lowercase names), text, json }.
function handshake(server, localAddress = "127.0.0.1", method = "GET", headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path: "/socket.io/?EIO=4&transport=polling",
        method,
        headers,
        localAddress,
        agent: false,
        timeout: WAIT,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`timed out after ${WAIT} ms waiting for a handshake from ${localAddress}`)),
    );
    req.on("error", reject);
    req.end();
  });
}

function assertAdmitted(res, what) {
  assert.equal(res.status, 200, `${what}: expected 200, got ${res.status} ${res.text}`);
  assert.match(res.text, /^0\{"sid":"/, `${what}: expected an Engine.IO open packet, got ${res.text}`);
}

// 503 for a full node, 429 for a rate; Retry-After in whole seconds (≥ 1), a JSON body
// {error: code, message}; returns Retry-After.
const REFUSAL_STATUS = { too_many_connections: 503, rate_limited: 429 };
function assertRefused(res, code, what) {
  const status = REFUSAL_STATUS[code];
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  assert.match(res.headers["content-type"] ?? "", /application\/json/, `${what}: content-type`);
  assert.ok(res.json && typeof res.json === "object", `${what}: body is not JSON: ${res.text}`);
  assert.equal(res.json.error, code, `${what}: error code in ${res.text}`);
  assert.equal(typeof res.json.message, "string", `${what}: message in ${res.text}`);
  assert.ok(res.json.message.length > 0, `${what}: empty message`);
  const retryAfter = res.headers["retry-after"];
  assert.match(retryAfter ?? "", /^[1-9][0-9]*$/, `${what}: Retry-After in whole seconds ≥ 1, got ${retryAfter}`);
  return Number(retryAfter);
}

// The transport error of a refused official client names the status.
function assertRefusedClient(err, status, what) {
  const detail = String(err.description?.message ?? err.description);
  assert.match(detail, new RegExp(status), `${what}: connect_error ${err.message} (${detail}) should come from a ${status}`);
}

// Waits (bounded) for "connect", however many connect_error come before it (a reconnecting client).
function connectedWithin(socket, ms, what) {
  if (socket.connected) return Promise.resolve();
  return withTimeout(new Promise((resolve) => socket.once("connect", resolve)), ms, what);
}

// A message sent by `from` to `room` reaches `to` (both members).
async function assertDelivered(from, to, room, text) {
  await send(from, room, text);
  await to.log.take((e) => e.event === "message" && e.args[0]?.text === text, WAIT, `"${text}" at ${to.log.name}`);
}

describe("--max-connections 2", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--max-connections", "2"]);
  afterEach(() => closeAllClients());

  test("a full node refuses new sessions with 503 too_many_connections; a polling session keeps working; a refused client gets in once a place frees up", async () => {
    const refusedBefore = await metric(server, REFUSED);
    assert.equal(refusedBefore, 0, `${REFUSED} starts at 0`);
    const room = uniqueRoom("full");
    const polly = await openUser(server, "polly", { transports: ["polling"] });
    const wes = await openUser(server, "wes");
    await join(polly, room);
    await join(wes, room);

    const raw = await handshake(server);
    assert.equal(assertRefused(raw, "too_many_connections", "3rd handshake"), 5, "Retry-After of a full node");

    // The official client counts the 503 as a failed attempt and retries with its backoff.
    let refusedAttempts = 0;
    const late = connectUser(server, "late", {
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 100,
      randomizationFactor: 0,
    });
    late.on("connect_error", () => refusedAttempts++);
    assertRefusedClient(await connectError(late), 503, "3rd official client");

    // The node is full, yet the polling session's requests (they carry its sid) are answered:
    // its POSTs (join, message) and its long-poll GETs (the deliveries).
    await assertDelivered(polly, wes, room, "from polling while full");
    await assertDelivered(wes, polly, room, "to polling while full");
    const other = uniqueRoom("full-other");
    await join(polly, other);
    assert.equal(polly.io.engine.transport.name, "polling");
    assert.equal(late.connected, false, "still refused while both places are taken");
    assertRefused(await handshake(server), "too_many_connections", "handshake while still full");

    wes.disconnect();
    await connectedWithin(late, 5000, "the refused client to get in after a place freed up");
    await join(late, room);
    await assertDelivered(late, polly, room, "late is in");
    assertRefused(await handshake(server), "too_many_connections", "full again");

    // Every refused handshake was counted: the two raw ones and each failed attempt of `late`
    // (all done: it is connected).
    assert.ok(refusedAttempts >= 1);
    assert.equal(await metric(server, REFUSED), refusedBefore + 3 + refusedAttempts);
  });
});

describe("--max-connections 1", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--max-connections", "1"]);

  test("the upgrade of an open session to WebSocket (it carries the sid) is not refused on a full node", async () => {
    const ada = connectUser(server, "ada", { transports: ["polling", "websocket"] });
    const upgraded = withTimeout(
      new Promise((resolve, reject) => {
        ada.io.on("open", () => {
          const engine = ada.io.engine;
          engine.once("upgrade", () => resolve(engine.transport.name));
          engine.once("upgradeError", (err) => reject(new Error(`upgrade refused: ${err.message}`)));
        });
      }),
      WAIT,
      "the upgrade to WebSocket",
    );
    assert.equal(await upgraded, "websocket");
    assertRefused(await handshake(server), "too_many_connections", "while the upgraded session fills the node");
    const room = uniqueRoom("upgraded");
    await join(ada, room);
    await send(ada, room, "over the upgraded transport");
  });
});

describe("--connect-rate-per-address 0.01:2 (no refill during the test)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--connect-rate-per-address", "0.01:2"]);
  afterEach(() => closeAllClients());

  test("an address gets 2 sessions, the 3rd is refused 429 rate_limited with Retry-After; other addresses are not", async () => {
    const before = await metric(server, REFUSED);
    assertAdmitted(await handshake(server, "127.0.0.2"), "1st from 127.0.0.2");
    assertAdmitted(await handshake(server, "127.0.0.2"), "2nd from 127.0.0.2");
    const retryAfter = assertRefused(await handshake(server, "127.0.0.2"), "rate_limited", "3rd from 127.0.0.2");
    // one token per 100 s
    assert.ok(retryAfter > 1 && retryAfter <= 100, `Retry-After ${retryAfter} for a 0.01/s refill`);
    assertRefused(await handshake(server, "127.0.0.2"), "rate_limited", "4th from 127.0.0.2");

    // official clients from another address: 2 get in, the 3rd gets connect_error
    const ada = await openUser(server, "ada", { localAddress: "127.0.0.3" });
    const bob = await openUser(server, "bob", { localAddress: "127.0.0.3" });
    const carl = connectUser(server, "carl", { localAddress: "127.0.0.3" });
    assertRefusedClient(await connectError(carl), 429, "3rd from 127.0.0.3");
    const room = uniqueRoom("per-address");
    await join(ada, room);
    await join(bob, room);
    await assertDelivered(ada, bob, room, "admitted sessions work");
    assertAdmitted(await handshake(server, "127.0.0.4"), "a fresh address");
    assert.equal(await metric(server, REFUSED), before + 3);
  });

  test("a CORS preflight is no connection: it takes no token", async () => {
    const preflight = { Origin: "http://example.test", "Access-Control-Request-Method": "GET" };
    for (let i = 0; i < 3; i++) {
      const res = await handshake(server, "127.0.0.9", "OPTIONS", preflight);
      assert.ok(res.status !== 503 && res.status !== 429, `preflight ${i} is not refused: ${res.text}`);
    }
    assertAdmitted(await handshake(server, "127.0.0.9"), "1st GET after 3 preflights");
    assertAdmitted(await handshake(server, "127.0.0.9"), "2nd GET after 3 preflights");
    assertRefused(await handshake(server, "127.0.0.9"), "rate_limited", "3rd GET");
  });

  test("a polling session of an address past its limit keeps working (its requests carry the sid)", async () => {
    const agent = new Agent({ localAddress: "127.0.0.5" });
    try {
      const polly = await openUser(server, "polly", { transports: ["polling"], agent });
      assertAdmitted(await handshake(server, "127.0.0.5"), "2nd from 127.0.0.5");
      assertRefused(await handshake(server, "127.0.0.5"), "rate_limited", "3rd from 127.0.0.5");
      const wes = await openUser(server, "wes", { localAddress: "127.0.0.6" });
      const room = uniqueRoom("per-address-polling");
      await join(polly, room);
      await join(wes, room);
      await assertDelivered(polly, wes, room, "from the limited address");
      await assertDelivered(wes, polly, room, "to the limited address");
      assert.equal(polly.io.engine.transport.name, "polling");
      assertRefused(await handshake(server, "127.0.0.5"), "rate_limited", "still limited");
    } finally {
      closeAllClients();
      agent.destroy();
    }
  });
});

describe("--connect-rate 0.01:2 (node-wide)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--connect-rate", "0.01:2"]);

  test("2 new sessions pass, then every address is refused 429 rate_limited; the admitted ones work", async () => {
    const before = await metric(server, REFUSED);
    const ada = await openUser(server, "ada", { localAddress: "127.0.0.2" });
    assertAdmitted(await handshake(server, "127.0.0.3"), "2nd new session, another address");
    const retryAfter = assertRefused(await handshake(server, "127.0.0.4"), "rate_limited", "3rd, a third address");
    assert.ok(retryAfter > 1 && retryAfter <= 100, `Retry-After ${retryAfter} for a 0.01/s refill`);
    assertRefused(await handshake(server, "127.0.0.2"), "rate_limited", "4th");
    const bob = connectUser(server, "bob", { localAddress: "127.0.0.5" });
    assertRefusedClient(await connectError(bob), 429, "an official client");
    const room = uniqueRoom("node-rate");
    await join(ada, room);
    await send(ada, room, "admitted before the limit");
    assert.equal(await metric(server, REFUSED), before + 3);
  });
});

describe("--connect-rate 0.01:3 with --connect-rate-per-address 0.01:1", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--connect-rate", "0.01:3", "--connect-rate-per-address", "0.01:1"]);

  test("refusals by address do not use up the node's budget", async () => {
    const before = await metric(server, REFUSED);
    assertAdmitted(await handshake(server, "127.0.0.2"), "127.0.0.2");
    for (let i = 0; i < 5; i++) {
      assertRefused(await handshake(server, "127.0.0.2"), "rate_limited", `127.0.0.2 again (${i})`);
    }
    assertAdmitted(await handshake(server, "127.0.0.3"), "127.0.0.3: the node's 2nd");
    assertAdmitted(await handshake(server, "127.0.0.4"), "127.0.0.4: the node's 3rd");
    const byNode = await handshake(server, "127.0.0.5");
    assertRefused(byNode, "rate_limited", "127.0.0.5: past the node's budget");
    assert.equal(await metric(server, REFUSED), before + 6);
  });
});

describe("--event-rate-limit 0.01:3 --rate-limit 0", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--event-rate-limit", "0.01:3", "--rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("3 events of any kind pass, then every chat event of that socket is refused rate_limited; unknown events take no budget", async () => {
    const limitedBefore = await metric(server, "switchboard_rate_limited_total");
    const room = uniqueRoom("events");
    const other = uniqueRoom("events-other");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(bob, room); // bob: 1 of 3

    for (let i = 0; i < 20; i++) ada.emit("frobnicate", i); // no handler: no token taken
    await join(ada, room); // 1
    ada.emit("typing", { room }); // 2 (no ack: bob sees it)
    await bob.log.take((e) => e.event === "typing" && e.args[0]?.user === "ada", WAIT, "ada's typing at bob");
    const id = await send(ada, room, "third event"); // 3

    assertRefusal(await ack(ada, "history", { room }), "rate_limited", "4th event: history");
    assertRefusal(await ack(ada, "join", other), "rate_limited", "5th event: join");
    assertRefusal(await ack(ada, "leave", room), "rate_limited", "6th event: leave");
    ada.log.clear();
    ada.emit("message", { room, text: "refused, no ack" });
    const ev = await ada.log.take("error", WAIT, "the rate_limited error event");
    assertRefusal(ev.args[0], "rate_limited", "7th event without an ack");
    assert.equal((await ack(ada, "message", { room, text: "x" })).error, "rate_limited");
    assert.equal(ada.connected, true, "refusals leave the socket connected");

    // nothing refused took effect: ada is not in `other`, still in `room`, and bob (his own
    // budget) sees only the message that passed
    const members = await api(server, `/api/rooms/${encodeURIComponent(other)}/members`);
    assert.equal(members.status, 404, `the refused join joined: ${members.text}`);
    const inRoom = await api(server, `/api/rooms/${encodeURIComponent(room)}/members`);
    assert.deepEqual(inRoom.json, { room, members: ["ada", "bob"] });
    const h = await ack(bob, "history", { room }); // bob: 2 of 3
    assert.deepEqual(
      h.messages.map((m) => [m.id, m.text]),
      [[id, "third event"]],
    );
    assert.equal(await metric(server, "switchboard_rate_limited_total"), limitedBefore + 5);
  });

  test("the budget is per socket: another socket of the same user has its own", async () => {
    const room = uniqueRoom("events-per-socket");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    await join(ada1, room);
    await send(ada1, room, "1");
    await send(ada1, room, "2");
    assertRefusal(await ack(ada1, "message", { room, text: "3" }), "rate_limited", "ada1's 4th");
    await join(ada2, room);
    await send(ada2, room, "from ada2");
  });
});

describe("--event-rate-limit: the default (50/s, burst 100) and 0", { timeout: TEST_TIMEOUT }, () => {
  // history is the cheap event of the burst: a [[rooms]] rule lets a socket read it without a
  // join, which would take a token of the budget.
  const config = historyForAnyone("burst");
  const server = withChat(["--rate-limit", "0", "--config", config]);
  const off = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--config", config]);

  // 300 history requests emitted at once; returns [answers, seconds it took].
  async function burst(target) {
    const ada = await openUser(target, "ada");
    const room = uniqueRoom("burst");
    const t0 = Date.now();
    const res = await withTimeout(
      Promise.all(Array.from({ length: 300 }, () => ada.emitWithAck("history", { room, limit: 1 }))),
      10000,
      "300 history acks",
    );
    return [res, (Date.now() - t0) / 1000];
  }

  test("default: a burst of 100 passes, the rest beyond the refill is refused", async () => {
    const [res, seconds] = await burst(server);
    const ok = res.filter((r) => r.ok === true).length;
    for (const r of res.filter((r) => r.ok !== true)) assertRefusal(r, "rate_limited", "past the default budget");
    assert.ok(ok >= 100, `${ok} passed: the burst is 100`);
    assert.ok(ok <= 100 + Math.ceil(50 * seconds) + 1, `${ok} passed in ${seconds} s at 50/s after a burst of 100`);
    assert.ok(ok < 300, "some were refused");
  });

  test("0 turns it off", async () => {
    const [res] = await burst(off);
    assert.deepEqual(
      res.filter((r) => r.ok !== true),
      [],
    );
  });
});

describe("--max-rooms-per-socket 3", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--max-rooms-per-socket", "3", "--event-rate-limit", "0", "--rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("the 4th join is refused too_many_rooms; a re-join is not; after a leave a join succeeds", async () => {
    const before = await metric(server, "switchboard_joins_refused_total");
    assert.notEqual(before, undefined, "/metrics has switchboard_joins_refused_total");
    const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((x) => uniqueRoom(`rooms-${x}`));
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(bob, d);
    for (const room of [a, b, c]) await join(ada, room);

    assertRefusal(await ack(ada, "join", d), "too_many_rooms", "4th room");
    assertRefusal(await ack(ada, "join", { room: d }), "too_many_rooms", "4th room as {room}");
    const members = await api(server, `/api/rooms/${encodeURIComponent(d)}/members`);
    assert.deepEqual(members.json, { room: d, members: ["bob"] }, "the refused join did not join");

    assert.deepEqual(await ack(ada, "join", b), { ok: true, room: b, history: [], members: ["ada"] }, "re-join");
    await send(ada, c, "still in c");

    assert.deepEqual(await ack(ada, "leave", a), { ok: true });
    const res = await ack(ada, "join", d);
    assert.equal(res.ok, true, `join after a leave: ${JSON.stringify(res)}`);
    assert.deepEqual(res.members, ["ada", "bob"]);

    ada.log.clear();
    ada.emit("join", e); // no ack: the refusal arrives as event `error`
    const ev = await ada.log.take("error", WAIT, "the too_many_rooms error event");
    assertRefusal(ev.args[0], "too_many_rooms", "a join without an ack");
    assert.equal(ada.connected, true);
    assert.equal(await metric(server, "switchboard_joins_refused_total"), before + 3);

    // the limit is per socket
    const ada2 = await openUser(server, "ada", {}, "ada2");
    for (const room of [a, e, uniqueRoom("rooms-f")]) await join(ada2, room);
  });
});

describe("--max-rooms-per-socket: the default (100) and 0", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--event-rate-limit", "0"]);
  const off = withChat(["--event-rate-limit", "0", "--max-rooms-per-socket", "0"]);

  async function joinMany(target, n) {
    const ada = await openUser(target, "ada");
    const rooms = Array.from({ length: n }, () => uniqueRoom("many"));
    return withTimeout(Promise.all(rooms.map((r) => ada.emitWithAck("join", r))), 10000, `${n} join acks`);
  }

  test("default: 100 rooms, the 101st is refused", async () => {
    const res = await joinMany(server, 101);
    assert.deepEqual(
      res.slice(0, 100).filter((r) => r.ok !== true),
      [],
    );
    assertRefusal(res[100], "too_many_rooms", "101st room");
  });

  test("0: no limit", async () => {
    const res = await joinMany(off, 150);
    assert.deepEqual(
      res.filter((r) => r.ok !== true),
      [],
    );
  });
});
