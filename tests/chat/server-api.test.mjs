// The server API's routes about sockets on one node (docs/design.md#http-api): POST /api/emit to
// a room, a user or a socket, with except and with acknowledgements; POST /api/disconnect,
// /api/join and /api/leave; GET /api/sockets. The cluster suite runs them across nodes.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  api,
  assertHttpError,
  closeAllClients,
  join,
  openUser,
  send,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

// Resolves once `socket` got `event`, or with undefined once the other clients' `sync` message
// came back (every earlier delivery has then happened).
async function heard(socket, event) {
  return socket.log.take(event, WAIT, `${event} on ${socket.log.name}`);
}

// Proves a socket did not get `event`: a later message through the same room arrives first.
async function assertNotHeard(server, socket, event) {
  const room = uniqueRoom("sync");
  await join(socket, room);
  await api(server, "/api/publish", { json: { room, event: "sync-mark" } });
  await socket.log.take("sync-mark", WAIT, "the sync mark");
  assert.equal(socket.log.events.filter((e) => e.event === event).length, 0, `${socket.log.name} heard ${event}`);
}

describe("POST /api/emit", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("to a user reaches every socket of that user, and no one else", async () => {
    const ada1 = await openUser(server, "ada");
    const ada2 = await openUser(server, "ada", { transports: ["polling"] });
    const bob = await openUser(server, "bob");
    const res = await api(server, "/api/emit", { json: { to: { user: "ada" }, event: "note", data: { n: 1 } } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { ok: true });
    for (const s of [ada1, ada2]) assert.deepEqual((await heard(s, "note")).args, [{ n: 1 }]);
    await assertNotHeard(server, bob, "note");
  });

  test("to a room with except (a socket id, a user); to one socket", async () => {
    const room = uniqueRoom("emit");
    const [ada, bob, cy] = await Promise.all(["ada", "bob", "cy"].map((u) => openUser(server, u)));
    for (const s of [ada, bob, cy]) await join(s, room);
    let res = await api(server, "/api/emit", {
      json: { to: { room }, except: [bob.id, "user:cy"], event: "only-ada" },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((await heard(ada, "only-ada")).args, []);
    await assertNotHeard(server, bob, "only-ada");
    await assertNotHeard(server, cy, "only-ada");
    res = await api(server, "/api/emit", { json: { to: { socket: cy.id }, event: "for-cy", data: "x" } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((await heard(cy, "for-cy")).args, ["x"]);
    await assertNotHeard(server, ada, "for-cy");
  });

  test("ack_timeout_ms: each client's answer with its socket and user; a silent one counts as timed out", async () => {
    const room = uniqueRoom("ask");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(ada, room);
    await join(bob, room);
    ada.on("question", (q, reply) => reply({ answer: `${q} yes` }));
    bob.on("question", () => {}); // never answers
    const started = Date.now();
    const res = await api(server, "/api/emit", {
      json: { to: { room }, event: "question", data: "ready?", ack_timeout_ms: 500 },
      timeout: 5000,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { ok: true, acks: [{ socket: ada.id, user: "ada", reply: { answer: "ready? yes" } }], timed_out: 1, complete: true });
    assert.ok(Date.now() - started >= 450, "waited for the silent client until the timeout");
    const none = await api(server, "/api/emit", {
      json: { to: { room: uniqueRoom("empty") }, event: "question", ack_timeout_ms: 500 },
    });
    assert.deepEqual(none.json, { ok: true, acks: [], timed_out: 0, complete: true });
  });

  test("bad bodies → 400 naming the field; a body that is not JSON → 415", async () => {
    const bad = [
      [{ event: "e" }, /to/],
      [{ to: {}, event: "e" }, /exactly one of room, user, socket/],
      [{ to: { room: "a", user: "b" }, event: "e" }, /exactly one/],
      [{ to: { room: "" }, event: "e" }, /room/],
      [{ to: { user: "a\u0000" }, event: "e" }, /user/],
      [{ to: { room: "a" } }, /event/],
      [{ to: { room: "a" }, event: "connect" }, /reserved/],
      [{ to: { room: "a" }, event: "e", ack_timeout_ms: 0 }, /ack_timeout_ms/],
      [{ to: { room: "a" }, event: "e", ack_timeout_ms: 60001 }, /ack_timeout_ms/],
      [{ to: { room: "a" }, event: "e", except: [5] }, /except/],
    ];
    for (const [body, pattern] of bad) {
      const res = await api(server, "/api/emit", { json: body });
      assertHttpError(res, 400, "bad_request", JSON.stringify(body));
      assert.match(res.json.message, pattern, JSON.stringify(body));
    }
    const res = await api(server, "/api/emit", { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    assertHttpError(res, 415, "unsupported_media_type");
  });
});

describe("POST /api/disconnect, /api/join, /api/leave; GET /api/sockets", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("disconnect a user: every socket of theirs, as a server disconnect (no reconnection)", async () => {
    const ada1 = await openUser(server, "ada", { reconnection: true });
    const ada2 = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    const reasons = [ada1, ada2].map((s) => new Promise((resolve) => s.once("disconnect", resolve)));
    const res = await api(server, "/api/disconnect", { json: { user: "ada" } });
    assert.deepEqual(res.json, { ok: true, disconnected: 2 });
    assert.deepEqual(await Promise.all(reasons), ["io server disconnect", "io server disconnect"]);
    assert.equal(bob.connected, true);
    assert.equal(ada1.active, false, "the client does not reconnect by itself");
  });

  test("join and leave a user's sockets, whatever the room's rule; presence and members follow", async () => {
    const room = uniqueRoom("moved");
    const ada = await openUser(server, "ada");
    const watcher = await openUser(server, "watcher");
    await join(watcher, room);
    let res = await api(server, "/api/join", { json: { user: "ada", room } });
    assert.deepEqual(res.json, { ok: true, sockets: 1 });
    const p = await watcher.log.take((e) => e.event === "presence" && e.args[0].user === "ada", WAIT, "ada's presence");
    assert.equal(p.args[0].action, "join");
    const id = await send(watcher, room, "hi ada");
    const m = await ada.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "ada is in the room");
    assert.equal(m.args[0].text, "hi ada");
    assert.deepEqual((await api(server, `/api/rooms/${room}/members`)).json.members, ["ada", "watcher"]);
    res = await api(server, "/api/leave", { json: { socket: ada.id, room } });
    assert.deepEqual(res.json, { ok: true, sockets: 1 });
    const left = await watcher.log.take((e) => e.event === "presence" && e.args[0].action === "leave", WAIT, "left");
    assert.equal(left.args[0].user, "ada");
    res = await api(server, "/api/join", { json: { user: "ada", room: "user:bob" } });
    assertHttpError(res, 400, "bad_request", "a reserved room");
  });

  test("GET /api/sockets lists {id, user, name, node, transport, rooms, data}, by room and by user", async () => {
    const room = uniqueRoom("listed");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob", { transports: ["polling"] });
    await join(ada, room);
    const all = await api(server, "/api/sockets");
    assert.equal(all.status, 200, all.text);
    const mine = all.json.sockets.find((s) => s.id === ada.id);
    const health = await api(server, "/healthz");
    assert.deepEqual(mine, { id: ada.id, user: "ada", name: "ada", node: health.json.node, transport: "websocket", rooms: [room], data: null });
    assert.equal(all.json.sockets.find((s) => s.id === bob.id)?.transport, "polling");
    const inRoom = await api(server, `/api/sockets?room=${encodeURIComponent(room)}`);
    assert.deepEqual(inRoom.json.sockets.map((s) => s.id), [ada.id]);
    const byUser = await api(server, "/api/sockets?user=bob");
    assert.deepEqual(byUser.json.sockets.map((s) => s.id), [bob.id]);
  });
});

describe("POST /api/publish: an array of requests, idempotency keys", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("an array is published in order; one bad entry refuses the whole batch, naming it", async () => {
    const room = uniqueRoom("batch");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    const batch = Array.from({ length: 5 }, (_, i) => ({ room, event: "n", data: i }));
    const res = await api(server, "/api/publish", { json: batch });
    assert.deepEqual(res.json, { ok: true, published: 5, repeats: 0 });
    for (let i = 0; i < 5; i++) assert.deepEqual((await ada.log.take("n")).args, [i]);
    const bad = await api(server, "/api/publish", { json: [{ room, event: "n", data: 9 }, { room, event: "" }] });
    assertHttpError(bad, 400, "bad_request");
    assert.match(bad.json.message, /^request 1: /);
    await assertNotHeard(server, ada, "n");
    const tooMany = await api(server, "/api/publish", { json: Array(1001).fill({ event: "n" }) });
    assertHttpError(tooMany, 400, "bad_request", "1,001 entries");
  });

  test("a repeated idempotency_key is answered as the first time and not published again", async () => {
    const room = uniqueRoom("idem");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    const key = `k-${room}`;
    const first = await api(server, "/api/publish", { json: { room, event: "once", data: 1, idempotency_key: key } });
    const again = await api(server, "/api/publish", { json: { room, event: "once", data: 1, idempotency_key: key } });
    assert.deepEqual(first.json, { ok: true });
    assert.deepEqual(again.json, first.json);
    await ada.log.take("once");
    await assertNotHeard(server, ada, "once");
    const batch = await api(server, "/api/publish", {
      json: [
        { room, event: "b", data: "repeat", idempotency_key: key },
        { room, event: "b", data: "new", idempotency_key: `${key}-2` },
        { room, event: "b", data: "twice in one batch", idempotency_key: `${key}-2` },
      ],
    });
    assert.deepEqual(batch.json, { ok: true, published: 1, repeats: 2 });
    assert.deepEqual((await ada.log.take("b")).args, ["new"]);
    await assertNotHeard(server, ada, "b");
  });
});
