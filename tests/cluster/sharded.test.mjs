// Sharded mode (--redis-mode sharded), compatible with @socket.io/redis-adapter's
// createShardedAdapter in "dynamic" subscription mode (docs/design.md#cluster, docs/wire-format.md#sharded-adapter): SSUBSCRIBE/
// SPUBLISH, one channel per public room subscribed only by the servers that have members in it.
// Cluster: Switchboard chat nodes A (nA) and B (nB), testbed node T (library API) and a Node.js
// peer N, all sharded, on one Redis 7.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectUser, waitConnected } from "../chat/chat-harness.mjs";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  messageWith,
  openUser,
  redisCommand,
  send,
  uniqueRoom,
  waitDisconnect,
  waitRedisState,
  withTimeout,
} from "./cluster-harness.mjs";

const MAIN = "socket.io#/#";

const res = new Resources();
let redis;
let A;
let B;
let T;
let N;

async function shardCount(channel) {
  const reply = await redisCommand(redis.url, ["PUBSUB", "SHARDNUMSUB", channel]);
  return Number(reply[1]);
}

async function waitShardCount(channel, n, what) {
  await eventually(
    () => {},
    async () => assert.equal(await shardCount(channel), n),
    { what: `${what}: ${n} subscriber(s) of ${channel}`, ms: WAIT, every: 100 },
  );
}

before(async () => {
  redis = await res.redis();
  const args = ["--redis-mode", "sharded"];
  A = await res.node({ redisUrl: redis.url, nodeId: "nA", args });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB", args });
  T = await res.testbed({ redisUrl: redis.url, args: ["--redis-mode", "sharded", "--node-id", "t"] });
  N = await res.peer({ redisUrl: redis.url, mode: "sharded" });
  N.io.on("hello", (...args) => {
    const cb = typeof args.at(-1) === "function" ? args.pop() : null;
    if (cb) cb({ node: "node-peer", args });
  });
  await Promise.all([A, B].map((n) => waitRedisState(n, "connected")));
  await waitShardCount(MAIN, 4, "every server on the main channel");
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("no classic Pub/Sub channel is used in sharded mode", { timeout: TEST_TIMEOUT }, async () => {
  const classic = await redisCommand(redis.url, ["PUBSUB", "NUMSUB", "socket.io-request#/#"]);
  assert.equal(Number(classic[1]), 0);
  assert.deepEqual(await redisCommand(redis.url, ["PUBSUB", "NUMPAT"]), 0);
});

test("a room's channel is subscribed by the nodes with members in it, and only while they have some", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("shard");
  const channel = `${MAIN}${room}#`;
  assert.equal(await shardCount(channel), 0);
  const ann = await openUser(A, "ann");
  const ann2 = await openUser(A, "ann2");
  const ben = await openUser(B, "ben");
  await join(ann, room);
  await waitShardCount(channel, 1, "after a join on A");
  await join(ann2, room); // a second member on A: still one subscription for the node
  await join(ben, room);
  await waitShardCount(channel, 2, "after a join on B");
  assert.equal((await ann.emitWithAck("leave", room)).ok, true);
  ann2.disconnect();
  await waitShardCount(channel, 1, "after A's members left");
  ben.disconnect();
  await waitShardCount(channel, 0, "after everyone left");
});

test("chat messages cross between the Switchboard nodes and the Node peer on the room's channel", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("talk");
  const cam = await openUser(A, "cam");
  const dot = await openUser(B, "dot");
  const nia = await openUser(N, "nia");
  for (const c of [cam, dot, nia]) await join(c, room);
  await waitShardCount(`${MAIN}${room}#`, 3, "all three servers on the room channel");
  await send(cam, room, "from A");
  for (const c of [dot, nia]) await c.log.take(messageWith("from A"), WAIT, `A's message at ${c.log.name}`);
  await send(dot, room, "from B");
  for (const c of [cam, nia]) await c.log.take(messageWith("from B"), WAIT, `B's message at ${c.log.name}`);
  const r = await withTimeout(nia.emitWithAck("message", { room, text: "from Node" }), WAIT, "nia's message");
  assert.equal(r.ok, true);
  for (const c of [cam, dot]) await c.log.take(messageWith("from Node"), WAIT, `N's message at ${c.log.name}`);
});

test("binary and whole-namespace broadcasts from the Node peer reach Switchboard clients", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("bin");
  const eve = await openUser(A, "eve");
  const fox = await openUser(B, "fox");
  await join(eve, room);
  await join(fox, room);
  await waitShardCount(`${MAIN}${room}#`, 2, "both nodes on the room channel");
  N.io.to(room).emit("blob", Buffer.from([1, 2, 3]), { k: Buffer.from("hi") });
  for (const c of [eve, fox]) {
    const ev = await c.log.take(eventNamed("blob"), WAIT, `the binary broadcast at ${c.log.name}`);
    assert.deepEqual([...ev.args[0]], [1, 2, 3]);
    assert.equal(Buffer.from(ev.args[1].k).toString(), "hi");
  }
  N.io.emit("everyone", 42);
  for (const c of [eve, fox]) assert.deepEqual((await c.log.take(eventNamed("everyone"), WAIT)).args, [42]);
});

test("fetchSockets and serverSideEmit from the Node peer are answered by every Switchboard server", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("fetch");
  const gil = await openUser(A, "gil");
  const hal = await openUser(B, "hal");
  await join(gil, room);
  await join(hal, room);
  const sockets = await withTimeout(N.io.in(room).fetchSockets(), WAIT * 2, "fetchSockets");
  assert.deepEqual(sockets.map((s) => s.id).sort(), [gil.id, hal.id].sort());
  const pongs = await withTimeout(
    new Promise((resolve, reject) => N.io.serverSideEmit("ping", (err, r) => (err ? reject(err) : resolve(r)))),
    WAIT * 2,
    "the answers to ping",
  );
  // Every Switchboard server answers with its node id.
  assert.deepEqual(pongs.sort(), ["nA", "nB", "t"]);
});

test("the library API on a Switchboard node reaches the Node peer's sockets (fetch, join, emit with ack)", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("lib");
  const vip = uniqueRoom("vip");
  const t = await waitConnected(connectUser(T, "t-user", {}, "t-user"));
  assert.equal(await withTimeout(t.emitWithAck("join", room), WAIT, "join on T"), true);
  const nia = await openUser(N, "nia2");
  await join(nia, room);

  const fetched = await withTimeout(t.emitWithAck("fetch", { room }), WAIT * 2, "fetch on T");
  assert.equal(fetched.complete, true);
  assert.deepEqual(fetched.sockets.map((s) => s.id).sort(), [t.id, nia.id].sort());

  assert.equal(await withTimeout(t.emitWithAck("sockets-join", { room, rooms: [vip] }), WAIT, "sockets-join"), true);
  await eventually(
    () => {},
    async () => {
      const r = await withTimeout(N.io.in(vip).fetchSockets(), WAIT, "fetchSockets of vip");
      assert.deepEqual(r.map((s) => s.id).sort(), [t.id, nia.id].sort());
    },
    { what: "both sockets in the new room" },
  );

  const emitted = await withTimeout(t.emitWithAck("server-emit", { args: ["ping"], ack: true }), WAIT * 2, "server-emit");
  assert.equal(emitted.timed_out, false, JSON.stringify(emitted));
  assert.deepEqual(emitted.responses.map((r) => (typeof r === "string" ? r : r.node)).sort(), ["nA", "nB", N.name]);

  nia.on("question", (q, cb) => cb({ who: "nia", q }));
  t.on("question", (q, cb) => cb({ who: "t", q }));
  t.emit("ask-room", { room, payload: "ready?", timeout: 2000 });
  const answers = await t.log.take(eventNamed("answers"), WAIT, "the answers to ask-room");
  assert.equal(answers.args[0].timed_out, false, JSON.stringify(answers.args));
  assert.deepEqual(answers.args[0].responses.map((r) => r.who).sort(), ["nia", "t"]);
});

test("disconnect_sockets on a Switchboard node disconnects the Node peer's sockets in the room", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("kick");
  const boss = await waitConnected(connectUser(T, "boss", {}, "boss"));
  const nia = await openUser(N, "nia3");
  const ivy = await openUser(A, "ivy");
  await join(nia, room);
  await join(ivy, room);
  const gone = [nia, ivy].map((c) => waitDisconnect(c, WAIT * 2));
  assert.equal(await withTimeout(boss.emitWithAck("disconnect-sockets", { room, close: true }), WAIT, "kick"), true);
  assert.deepEqual(await Promise.all(gone), ["io server disconnect", "io server disconnect"]);
});

test("binary broadcast from a Switchboard node reaches the Node peer as binary (MessagePack message)", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("sbin");
  const t = await waitConnected(connectUser(T, "sbin-t", {}, "sbin-t"));
  assert.equal(await withTimeout(t.emitWithAck("join", room), WAIT, "join on T"), true);
  const nia = await openUser(N, "sbin-n");
  await join(nia, room);
  await waitShardCount(`${MAIN}${room}#`, 2, "T and N on the room channel");
  const blob = { room, event: "blob", args: [Buffer.from([9, 8, 7]), { k: Buffer.from("yo") }] };
  assert.equal(await withTimeout(t.emitWithAck("to-room", blob), WAIT, "to-room"), true);
  const ev = await nia.log.take(eventNamed("blob"), WAIT, "the binary at the Node peer");
  assert.deepEqual([...new Uint8Array(ev.args[0])], [9, 8, 7]);
  assert.equal(Buffer.from(ev.args[1].k).toString(), "yo");
});
