// The chat contract of docs/user-guide.md on namespace "/": join, leave, message, typing, history
// and presence, through the official socket.io-client over WebSocket (and one flow over polling).
//
// To prove an event did NOT reach a client, the test makes a later event that must reach it and
// that the server emits after the one under test (the same socket sends it after the ack of the
// request under test), then checks nothing of the first kind arrived before it.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  assertRefusal,
  closeAllClients,
  join,
  openUser,
  send,
  uniqueRoom,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--node-id", "contract"]);

// the events `s` received up to and including the chat message with `id`
function upToMessage(s, id) {
  return s.log.until((ev) => ev.event === "message" && ev.args[0]?.id === id, WAIT, `message ${id}`);
}
const presences = (events, room, action) =>
  events
    .filter((e) => e.event === "presence" && e.args[0]?.room === room && e.args[0]?.action === action)
    .map((e) => e.args[0]);
// matches presence {room, user, action}
const isPresence = (room, user, action) => (e) =>
  e.event === "presence" && e.args[0]?.room === room && e.args[0]?.user === user && e.args[0]?.action === action;

describe("join", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test('join "room" (string form): ack {ok:true, room, history:[], members:[me]}', async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("str");
    const res = await ack(ada, "join", room);
    assert.deepEqual(res, { ok: true, room, history: [], members: ["ada"] });
  });

  test("join {room} (object form): same ack", async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("obj");
    const res = await ack(ada, "join", { room });
    assert.deepEqual(res, { ok: true, room, history: [], members: ["ada"] });
  });

  test("room names: 64 bytes accepted, and non-ASCII names counted in bytes (32 × é = 64 bytes)", async () => {
    const ada = await openUser(server, "ada");
    const r64 = "x".repeat(64 - String(process.pid).length) + process.pid;
    assert.equal(Buffer.byteLength(r64), 64);
    assert.deepEqual(await ack(ada, "join", r64), { ok: true, room: r64, history: [], members: ["ada"] });
    const accents = "é".repeat(32);
    assert.equal(Buffer.byteLength(accents), 64);
    const res = await ack(ada, "join", { room: accents });
    assert.equal(res.ok, true, JSON.stringify(res));
    assert.equal(res.room, accents);
  });

  test("members are sorted and each user appears once, however many sockets it has", async () => {
    const room = uniqueRoom("members");
    const carol = await openUser(server, "carol");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const bob = await openUser(server, "bob");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    assert.deepEqual((await join(carol, room)).members, ["carol"]);
    assert.deepEqual((await join(ada1, room)).members, ["ada", "carol"]);
    assert.deepEqual((await join(bob, room)).members, ["ada", "bob", "carol"]);
    assert.deepEqual((await join(ada2, room)).members, ["ada", "bob", "carol"], "ada is listed once");
  });

  test('presence "join" reaches the room when a user joins, but not for the same user\'s second socket', async () => {
    const room = uniqueRoom("presence-join");
    const bob = await openUser(server, "bob");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    await join(bob, room);
    await join(ada1, room);
    const p = await bob.log.take(isPresence(room, "ada", "join"), WAIT, "presence join of ada");
    assert.deepEqual(p.args, [{ room, user: "ada", name: "ada", action: "join" }]);
    // ada's second socket joins, and the first joins again: no presence; ada2's message (sent
    // after both join acks) is the marker
    await join(ada2, room);
    assert.deepEqual((await join(ada1, room)).members, ["ada", "bob"], "joining twice is harmless");
    const id = await send(ada2, room, "marker");
    const events = await upToMessage(bob, id);
    assert.deepEqual(
      presences(events, room, "join").filter((p) => p.user === "ada"),
      [],
      "no presence for ada's second socket or second join",
    );
  });
});

describe("leave", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test('leave: ack {ok:true}; presence "leave" only when the user\'s last socket leaves', async () => {
    const room = uniqueRoom("leave");
    const bob = await openUser(server, "bob");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    await join(bob, room);
    await join(ada1, room);
    await join(ada2, room);
    bob.log.clear();

    assert.deepEqual(await ack(ada1, "leave", room), { ok: true });
    const id = await send(ada2, room, "still here");
    let events = await upToMessage(bob, id);
    assert.deepEqual(presences(events, room, "leave"), [], "ada still has a socket in the room: no presence leave");

    assert.deepEqual(await ack(ada2, "leave", { room }), { ok: true }, "leave {room} (object form)");
    const p = await bob.log.take(isPresence(room, "ada", "leave"), WAIT, "presence leave of ada");
    assert.deepEqual(p.args, [{ room, user: "ada", name: "ada", action: "leave" }]);

    // ada is no longer a member
    const carol = await openUser(server, "carol");
    assert.deepEqual((await join(carol, room)).members, ["bob", "carol"]);
  });

  test("after leave, the socket no longer receives the room's messages", async () => {
    const room = uniqueRoom("left");
    const other = uniqueRoom("other");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    for (const s of [ada, bob]) {
      await join(s, room);
      await join(s, other);
    }
    assert.deepEqual(await ack(ada, "leave", room), { ok: true });
    ada.log.clear();
    const gone = await send(bob, room, "ada should not see this");
    const marker = await send(bob, other, "marker");
    const events = await upToMessage(ada, marker);
    assert.deepEqual(
      events.filter((e) => e.event === "message" && e.args[0]?.id === gone && e.args[0]?.room === room),
      [],
    );
  });
});

describe("message", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test("ack {ok:true, id}; {id, room, user, name, text, ts} reaches every member, sender included, and no one else", async () => {
    const room = uniqueRoom("msg");
    const lobby = uniqueRoom("lobby");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    const eve = await openUser(server, "eve");
    await join(ada, room);
    await join(bob, room);
    for (const s of [ada, bob, eve]) await join(s, lobby);
    for (const s of [ada, bob, eve]) s.log.clear();

    const text = "héllo, wörld 😀 你好";
    const t0 = Date.now();
    const res = await ack(ada, "message", { room, text });
    const t1 = Date.now();
    assert.deepEqual(Object.keys(res).sort(), ["id", "ok"], JSON.stringify(res));
    assert.equal(res.ok, true);
    assert.ok(Number.isInteger(res.id) && res.id > 0, `id is a positive integer: ${JSON.stringify(res)}`);

    for (const s of [ada, bob]) {
      const ev = await s.log.take((e) => e.event === "message" && e.args[0]?.room === room, WAIT, "the message");
      assert.equal(ev.args.length, 1);
      const m = ev.args[0];
      assert.deepEqual(Object.keys(m).sort(), ["id", "name", "room", "text", "ts", "user"]);
      assert.deepEqual({ ...m, ts: 0 }, { id: res.id, room, user: "ada", name: "ada", text, ts: 0 });
      assert.ok(Number.isInteger(m.ts), `ts is an integer of ms: ${m.ts}`);
      assert.ok(m.ts >= t0 - 2000 && m.ts <= t1 + 2000, `ts ${m.ts} within [${t0}, ${t1}]`);
    }
    // eve (not in the room) gets the lobby marker and nothing of the room before it
    const marker = await send(ada, lobby, "marker");
    const events = await upToMessage(eve, marker);
    assert.deepEqual(
      events.filter((e) => e.event === "message" && e.args[0]?.room === room),
      [],
      "a non-member must not receive the room's messages",
    );
  });

  test("ids increase per room, each room's sequence independent of the others", async () => {
    const r1 = uniqueRoom("ids-a");
    const r2 = uniqueRoom("ids-b");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(ada, r1);
    await join(ada, r2);
    await join(bob, r2);
    const ids = { [r1]: [], [r2]: [] };
    for (let i = 0; i < 5; i++) {
      ids[r1].push(await send(ada, r1, `a${i}`));
      ids[r2].push(await send(i % 2 ? ada : bob, r2, `b${i}`));
    }
    for (const r of [r1, r2]) {
      for (let i = 1; i < ids[r].length; i++) {
        assert.ok(ids[r][i] > ids[r][i - 1], `ids of ${r} increase: ${JSON.stringify(ids[r])}`);
      }
      // each room's history holds exactly its own messages (ada is in both rooms: a member reads)
      const h = await ack(ada, "history", { room: r });
      assert.equal(h.ok, true);
      assert.deepEqual(
        h.messages.map((m) => m.id),
        [...ids[r]].reverse(),
      );
      assert.ok(h.messages.every((m) => m.room === r));
    }
  });

  test("4000 emoji (4000 code points, 8000 UTF-16 units) are accepted and delivered intact", async () => {
    const room = uniqueRoom("emoji");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    const text = "😀".repeat(4000);
    const id = await send(ada, room, text);
    const ev = await ada.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "the emoji message");
    assert.equal(ev.args[0].text, text);
  });
});

describe("typing", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test("typing {room}: the others get {room, user}, the sender does not", async () => {
    const room = uniqueRoom("typing");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    const carol = await openUser(server, "carol");
    for (const s of [ada, bob, carol]) await join(s, room);
    for (const s of [ada, bob, carol]) s.log.clear();
    ada.emit("typing", { room });
    for (const s of [bob, carol]) {
      const ev = await s.log.take("typing", WAIT, "typing");
      assert.deepEqual(ev.args, [{ room, user: "ada" }]);
    }
    // the sender's own message (emitted after its typing) arrives without a typing before it
    const id = await send(ada, room, "done typing");
    const events = await upToMessage(ada, id);
    assert.deepEqual(
      events.filter((e) => e.event === "typing" || e.event === "error"),
      [],
      "the sender must not get its own typing",
    );
  });

  test("another socket of the same user receives the typing (only the sending socket is excluded)", async () => {
    const room = uniqueRoom("typing-self");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    await join(ada1, room);
    await join(ada2, room);
    ada1.emit("typing", { room });
    const ev = await ada2.log.take("typing", WAIT, "typing on ada's other socket");
    assert.deepEqual(ev.args, [{ room, user: "ada" }]);
  });
});

describe("history (210 stored messages)", { timeout: 60000 }, () => {
  const room = uniqueRoom("history");
  let ada;
  let sent; // message objects in sending order, as broadcast

  before(async () => {
    ada = await openUser(server, "ada", {}, "history-writer");
    await join(ada, room);
    // all 210 emitted at once; each ack comes after its message is stored
    const acks = [];
    for (let i = 0; i < 210; i++) {
      acks.push(ada.emitWithAck("message", { room, text: `m${i}` }));
    }
    const results = await withTimeout(Promise.all(acks), 30000, "the acks of 210 messages");
    results.forEach((r, i) => assert.equal(r?.ok, true, `ack ${i}: ${JSON.stringify(r)}`));
    sent = [];
    for (let i = 0; i < 210; i++) {
      const ev = await ada.log.take((e) => e.event === "message" && e.args[0]?.room === room, WAIT, `broadcast ${i}`);
      sent.push(ev.args[0]);
    }
    assert.deepEqual(
      sent.map((m) => m.text),
      results.map((_, i) => `m${i}`),
      "the broadcasts come in sending order",
    );
    assert.deepEqual(
      sent.map((m) => m.id),
      results.map((r) => r.id),
      "each broadcast carries the id of its ack",
    );
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i].id > sent[i - 1].id, "ids increase in sending order");
  });
  after(() => closeAllClients());

  const newestFirst = (from, to) => sent.slice(from, to).reverse();

  // By default only a member reads a room's history: a reader joins first, and leaves after, so
  // that the room's members stay ["ada"] for the join test below.
  async function memberReader() {
    const reader = await openUser(server, "reader");
    await join(reader, room);
    return reader;
  }

  test("history {room}: the newest 50, newest first, full message objects", async () => {
    const reader = await openUser(server, "reader");
    assertRefusal(await ack(reader, "history", { room }), "forbidden", "history by a non-member");
    await join(reader, room);
    const res = await ack(reader, "history", { room });
    assert.deepEqual(res, { ok: true, messages: newestFirst(160, 210) });
    assert.deepEqual(await ack(reader, "leave", room), { ok: true });
  });

  test("limit: 1 → the newest; 200 → 200; 500 → capped at 200", async () => {
    const reader = await memberReader();
    assert.deepEqual(await ack(reader, "history", { room, limit: 1 }), { ok: true, messages: [sent[209]] });
    assert.deepEqual(await ack(reader, "history", { room, limit: 200 }), { ok: true, messages: newestFirst(10, 210) });
    assert.deepEqual(await ack(reader, "history", { room, limit: 500 }), { ok: true, messages: newestFirst(10, 210) });
    assert.deepEqual(await ack(reader, "leave", room), { ok: true });
  });

  test("before: older than that id, the id excluded, newest first", async () => {
    const reader = await memberReader();
    assert.deepEqual(await ack(reader, "history", { room, before: sent[100].id, limit: 10 }), {
      ok: true,
      messages: newestFirst(90, 100),
    });
    assert.deepEqual(await ack(reader, "history", { room, before: sent[5].id }), {
      ok: true,
      messages: newestFirst(0, 5),
    });
    assert.deepEqual(await ack(reader, "history", { room, before: sent[0].id }), { ok: true, messages: [] });
    // paging with before = the oldest id of the previous page walks the whole room
    const all = [];
    let page = await ack(reader, "history", { room, limit: 200 });
    while (page.messages.length > 0) {
      all.push(...page.messages);
      page = await ack(reader, "history", { room, limit: 200, before: page.messages.at(-1).id });
    }
    assert.deepEqual(all, newestFirst(0, 210));
    assert.deepEqual(await ack(reader, "leave", room), { ok: true });
  });

  test("join returns the last 50 messages, oldest first", async () => {
    const late = await openUser(server, "late");
    const res = await ack(late, "join", room);
    assert.deepEqual(res, { ok: true, room, history: sent.slice(160, 210), members: ["ada", "late"] });
  });

  test("history of a room without messages: {ok:true, messages:[]}", async () => {
    const reader = await openUser(server, "reader");
    const empty = uniqueRoom("empty");
    await join(reader, empty);
    assert.deepEqual(await ack(reader, "history", { room: empty }), { ok: true, messages: [] });
  });
});

describe("disconnect", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test('a disconnect sends presence "leave" for each room where the user has no other socket', async () => {
    const shared = uniqueRoom("dc-shared"); // ada1 and ada2
    const solo = uniqueRoom("dc-solo"); // ada1 only
    const bob = await openUser(server, "bob");
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    for (const r of [shared, solo]) await join(bob, r);
    await join(ada1, shared);
    await join(ada1, solo);
    await join(ada2, shared);
    bob.log.clear();

    ada1.disconnect();
    const p = await bob.log.take(isPresence(solo, "ada", "leave"), WAIT, "presence leave in the solo room");
    assert.deepEqual(p.args, [{ room: solo, user: "ada", name: "ada", action: "leave" }]);
    const id = await send(ada2, shared, "ada is still here");
    const events = await upToMessage(bob, id);
    assert.deepEqual(presences(events, shared, "leave"), [], "ada2 is still in the shared room: no presence leave");

    ada2.disconnect();
    const p2 = await bob.log.take(isPresence(shared, "ada", "leave"), WAIT, "presence leave in the shared room");
    assert.deepEqual(p2.args, [{ room: shared, user: "ada", name: "ada", action: "leave" }]);
    const carol = await openUser(server, "carol");
    assert.deepEqual((await join(carol, shared)).members, ["bob", "carol"]);
    assert.deepEqual((await join(carol, solo)).members, ["bob", "carol"]);
  });
});

describe("over HTTP long-polling only", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllClients());

  test("join, presence, message, typing, history and leave work over polling", async () => {
    const room = uniqueRoom("polling");
    const polling = { transports: ["polling"] };
    const ada = await openUser(server, "ada", polling, "ada-polling");
    const bob = await openUser(server, "bob", polling, "bob-polling");
    assert.equal(ada.io.engine.transport.name, "polling");
    assert.deepEqual(await ack(ada, "join", room), { ok: true, room, history: [], members: ["ada"] });
    assert.deepEqual(await ack(bob, "join", { room }), { ok: true, room, history: [], members: ["ada", "bob"] });
    const p = await ada.log.take(isPresence(room, "bob", "join"), WAIT, "presence join of bob");
    assert.deepEqual(p.args, [{ room, user: "bob", name: "bob", action: "join" }]);

    const id = await send(ada, room, "over polling");
    for (const s of [ada, bob]) {
      const ev = await s.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "the message");
      assert.deepEqual({ ...ev.args[0], ts: 0 }, { id, room, user: "ada", name: "ada", text: "over polling", ts: 0 });
    }
    // typing is volatile: a polling client with no GET pending may miss it, so the receiver of
    // the polling client's typing is a WebSocket client
    const carol = await openUser(server, "carol");
    await join(carol, room);
    bob.emit("typing", { room });
    const t = await carol.log.take("typing", WAIT, "typing");
    assert.deepEqual(t.args, [{ room, user: "bob" }]);

    const h = await ack(bob, "history", { room });
    assert.equal(h.ok, true);
    assert.deepEqual(
      h.messages.map((m) => [m.id, m.text, m.user]),
      [[id, "over polling", "ada"]],
    );
    assert.deepEqual(await ack(bob, "leave", room), { ok: true });
    const pl = await ada.log.take(isPresence(room, "bob", "leave"), WAIT, "presence leave of bob");
    assert.deepEqual(pl.args, [{ room, user: "bob", name: "bob", action: "leave" }]);
  });
});
