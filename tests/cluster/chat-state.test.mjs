// Chat state seen cluster-wide (docs/design.md#chat-events and #http-api, docs/user-guide.md): what a user sees must not
// depend on the node they are on. Switchboard nodes A (nA) and B (nB) on one Redis, plus a Node
// peer N for POST /api/publish reaching Node clients too.
//
// - POST /api/publish on one node emits on every node (docs/design.md#http-api, "on every node").
// - join on B: `members` holds users on A, `history` holds messages sent on A (as does GET history).
// - presence of a join on B reaches the room's clients on A.
// - GET /api/rooms and /api/rooms/{room}/members on A count members on B ("cluster-wide").

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  messageStartingWith,
  openUser,
  send,
  waitLinked,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;
let B;
let N;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB" });
  N = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  await waitLinked(redis, [A, B], 3);
});

after(async () => {
  closeAllClients();
  await res.close();
});

const enc = encodeURIComponent;

test("POST /api/publish on node A reaches the room on node B and on the Node peer, and everyone without a room", { timeout: TEST_TIMEOUT }, async () => {
  const bob = await openUser(B, "bob");
  const nia = await openUser(N, "nia");
  const out = await openUser(B, "out"); // in no room
  await join(bob, "news");
  await join(nia, "news");
  for (const c of [bob, nia]) {
    await eventually(
      async (i) => {
        const r = await api(A, "/api/publish", { json: { room: "news", event: "probe", data: { seq: i } } });
        assert.equal(r.status, 200, r.text);
      },
      (ms) => c.log.take(eventNamed("probe"), ms, "a probe published on A"),
      { what: `a publish on A to reach ${c.log.name}` },
    );
  }
  const r = await api(A, "/api/publish", { json: { room: "news", event: "headline", data: { t: "hi" } } });
  assert.equal(r.status, 200, r.text);
  for (const c of [bob, nia]) assert.deepEqual((await c.log.take(eventNamed("headline"))).args, [{ t: "hi" }]);

  const all = await api(A, "/api/publish", { json: { event: "to-all", data: 7 } });
  assert.equal(all.status, 200, all.text);
  for (const c of [bob, nia, out]) assert.deepEqual((await c.log.take(eventNamed("to-all"))).args, [7]);
  assert.deepEqual(out.log.events.filter((e) => e.event === "headline"), [], "out is not in news");
});

// ada on A and cid on B are linked (a first message from A reached B); returns them.
async function linkedPair(room, userA, userB) {
  const a = await openUser(A, userA);
  const b = await openUser(B, userB);
  await join(a, room);
  await join(b, room);
  await eventually(
    (i) => send(a, room, `probe ${i}`),
    (ms) => b.log.take(messageStartingWith("probe "), ms, "a probe from A"),
    { what: "a first message from node A to node B" },
  );
  return [a, b];
}

test("join on node B: members include the users in the room on node A", { timeout: TEST_TIMEOUT }, async () => {
  await linkedPair("members-room", "ada", "cid");
  const bob = await openUser(B, "bob");
  const ackB = await join(bob, "members-room");
  assert.deepEqual(ackB.members, ["ada", "bob", "cid"], `members in the join ack on B: ${JSON.stringify(ackB)}`);
});

test("join on node B: history holds the messages sent on node A; so does GET history on B", { timeout: TEST_TIMEOUT }, async () => {
  const [ada] = await linkedPair("probe-room", "ada", "cid");
  await join(ada, "history-room");
  const id1 = await send(ada, "history-room", "first on A");
  const id2 = await send(ada, "history-room", "second on A");
  const bob = await openUser(B, "bob");
  const ackB = await join(bob, "history-room");
  assert.deepEqual(
    ackB.history.map((m) => [m.id, m.user, m.text]),
    [
      [id1, "ada", "first on A"],
      [id2, "ada", "second on A"],
    ],
    `history in the join ack on B: ${JSON.stringify(ackB.history)}`,
  );
  const h = await api(B, `/api/rooms/${enc("history-room")}/history`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.messages.map((m) => m.text), ["second on A", "first on A"], h.text);
});

test("presence of a join on node B reaches the room's clients on node A", { timeout: TEST_TIMEOUT }, async () => {
  const [ada] = await linkedPair("presence-room", "ada", "cid");
  const bob = await openUser(B, "bob");
  await join(bob, "presence-room");
  const p = await ada.log.take(
    eventNamed("presence", (x) => x?.user === "bob" && x?.room === "presence-room"),
    WAIT,
    "bob's presence",
  );
  assert.deepEqual(p.args, [{ room: "presence-room", user: "bob", name: "bob", action: "join" }]);
});

test("GET /api/rooms on node A counts members on node B", { timeout: TEST_TIMEOUT }, async () => {
  const dee = await openUser(A, "dee");
  const eli = await openUser(B, "eli");
  const eli2 = await openUser(B, "eli", {}, "eli2");
  await join(dee, "census");
  await join(eli, "census");
  await join(eli2, "census");
  await join(eli, "only-b");
  const rooms = await api(A, "/api/rooms");
  assert.equal(rooms.status, 200, rooms.text);
  const mine = rooms.json.rooms.filter((r) => ["census", "only-b"].includes(r.room));
  assert.deepEqual(
    mine,
    [
      { room: "census", members: 2 },
      { room: "only-b", members: 1 },
    ],
    rooms.text,
  );
});

test("GET /api/rooms/{room}/members on node A lists the users on node B", { timeout: TEST_TIMEOUT }, async () => {
  const fay = await openUser(A, "fay");
  const gus = await openUser(B, "gus");
  await join(fay, "roll");
  await join(gus, "roll");
  await join(gus, "roll-b");
  const members = await api(A, `/api/rooms/${enc("roll")}/members`);
  assert.equal(members.status, 200, members.text);
  assert.deepEqual(members.json, { room: "roll", members: ["fay", "gus"] });
  const onlyB = await api(A, `/api/rooms/${enc("roll-b")}/members`);
  assert.equal(onlyB.status, 200, `a room whose only member is on B: ${onlyB.text}`);
  assert.deepEqual(onlyB.json, { room: "roll-b", members: ["gus"] });
});

test("a user with sockets on both nodes joins and leaves a room once, cluster-wide", { timeout: TEST_TIMEOUT }, async () => {
  const room = "presence-once";
  const [watcher, watcherB] = await linkedPair(room, "wes", "wes2");
  const zedA = await openUser(A, "zed", {}, "zedA");
  const zedB = await openUser(B, "zed", {}, "zedB");
  const isZed = (action) => eventNamed("presence", (x) => x?.user === "zed" && x?.room === room && x?.action === action);
  // A marker message from each node after each step: every presence event of the step, from
  // either node, arrived before them (one Redis connection per node keeps its order).
  let seq = 0;
  const step = async () => {
    seq++;
    for (const [from, name] of [[watcher, "A"], [watcherB, "B"]]) {
      const text = `marker ${seq} from ${name}`;
      await send(from, room, text);
      await watcher.log.take(messageStartingWith(text), WAIT, text);
    }
  };

  await join(zedA, room);
  await watcher.log.take(isZed("join"), WAIT, "zed's join");
  await join(zedB, room); // the same user, on the other node
  await step();
  assert.equal(watcher.log.events.filter(isZed("join")).length, 0, "a second join event for zed");

  const left = await zedA.emitWithAck("leave", room);
  assert.equal(left?.ok, true, JSON.stringify(left));
  await step();
  assert.equal(watcher.log.events.filter(isZed("leave")).length, 0, "zed left while still in the room on B");

  zedB.disconnect(); // the user's last socket in the room, anywhere
  await watcher.log.take(isZed("leave"), WAIT, "zed's leave");
  await step();
  assert.equal(watcher.log.events.filter(isZed("leave")).length, 0, "a second leave event for zed");
});
