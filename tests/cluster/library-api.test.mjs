// The library API across a cluster (Node's fetchSockets, socketsJoin, socketsLeave,
// disconnectSockets, serverSideEmit with and without acks, server count), started on a Switchboard
// node and reaching another Switchboard node and a Node.js Socket.IO server with
// @socket.io/redis-adapter; and serverSideEmit from the Node side answered by Switchboard handlers.
// Cluster: testbed nodes T1 (t1) and T2 (t2) (examples/testbed_server.cpp), Node peer N.

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
  uniqueRoom,
  waitDisconnect,
  waitServerCount,
  withTimeout,
} from "./cluster-harness.mjs";


const res = new Resources();
let T1, T2, N;

function call(socket, event, ...args) {
  return withTimeout(socket.emitWithAck(event, ...args), WAIT * 2, `the ack of ${event}`);
}

// A connected client of `server` (testbed or Node peer) in `rooms`.
async function client(server, name, rooms = []) {
  const s = await waitConnected(connectUser(server, name, {}, name));
  for (const room of rooms) {
    const r = await call(s, "join", room);
    assert.ok(r === true || r?.ok === true, `${name} joins ${room}: ${JSON.stringify(r)}`);
  }
  return s;
}

before(async () => {
  const redis = await res.redis();
  T1 = await res.testbed({ redisUrl: redis.url, args: ["--node-id", "t1"] });
  T2 = await res.testbed({ redisUrl: redis.url, args: ["--node-id", "t2"] });
  N = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  N.io.on("hello", (...args) => {
    const cb = typeof args.at(-1) === "function" ? args.pop() : null;
    N.heard = [...(N.heard ?? []), args];
    if (cb) cb({ node: "node-peer", args });
  });
  await waitServerCount(redis.url, 3);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("server_count counts every server of the namespace", { timeout: TEST_TIMEOUT }, async () => {
  const c = await client(T1, "counter");
  assert.equal(await call(c, "server-count"), 3);
});

test("fetch_sockets returns the room's sockets on all three servers, with rooms and data", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("fetch");
  const a = await client(T1, "a", [room]);
  const b = await client(T2, "b", [room]);
  const n = await client(N, "n", [room]);
  await client(T2, "outsider", [uniqueRoom("other")]);
  assert.equal(await call(b, "set-data", { plan: "pro" }), true);

  const r = await call(a, "fetch", { room });
  assert.equal(r.complete, true, JSON.stringify(r));
  const byId = new Map(r.sockets.map((s) => [s.id, s]));
  assert.deepEqual([...byId.keys()].sort(), [a.id, b.id, n.id].sort());
  for (const s of [a, b, n]) assert.ok(byId.get(s.id).rooms.includes(room), `rooms of ${s.id}`);
  assert.deepEqual(byId.get(b.id).data, { value: { plan: "pro" } });
});

test("fetch_sockets with except leaves out that room's sockets everywhere", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("all");
  const muted = uniqueRoom("muted");
  const a = await client(T1, "a2", [room]);
  await client(T2, "b2", [room, muted]);
  await client(N, "n2", [room, muted]);
  const r = await call(a, "fetch", { room, except: muted });
  assert.equal(r.complete, true);
  assert.deepEqual(r.sockets.map((s) => s.id), [a.id]);
});

test("sockets_join from T1 puts the room's sockets on every server into another room", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("base");
  const vip = uniqueRoom("vip");
  const a = await client(T1, "a3", [room]);
  const b = await client(T2, "b3", [room]);
  const n = await client(N, "n3", [room]);
  const stay = await client(T2, "stay3");
  assert.equal(await call(a, "sockets-join", { room, rooms: [vip] }), true);
  await eventually(
    () => {},
    async () => {
      const r = await call(stay, "fetch", { room: vip });
      assert.deepEqual(r.sockets.map((s) => s.id).sort(), [a.id, b.id, n.id].sort());
    },
    { what: "all three sockets in the new room" },
  );
  // A broadcast from the Node peer to the new room reaches all of them.
  N.io.to(vip).emit("vip-news", 1);
  for (const s of [a, b, n]) await s.log.take(eventNamed("vip-news"), WAIT, `vip-news at ${s.log.name}`);
  assert.equal(stay.log.events.filter((e) => e.event === "vip-news").length, 0);
});

test("sockets_leave from T2 takes the room's sockets on every server out of a room", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("leave");
  const extra = uniqueRoom("extra");
  const a = await client(T1, "a4", [room, extra]);
  const b = await client(T2, "b4", [room, extra]);
  const n = await client(N, "n4", [room, extra]);
  const keep = await client(T1, "keep4", [extra]);
  assert.equal(await call(b, "sockets-leave", { room, rooms: [extra] }), true);
  await eventually(
    () => {},
    async () => {
      const r = await call(keep, "fetch", { room: extra });
      assert.deepEqual(r.sockets.map((s) => s.id), [keep.id]);
    },
    { what: "only the untouched socket left in the room" },
  );
  assert.ok(a.connected && n.connected);
});

test("disconnect_sockets(close) from T1 disconnects the room's sockets on every server", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("kick");
  const boss = await client(T1, "boss");
  const a = await client(T1, "a5", [room]);
  const b = await client(T2, "b5", [room]);
  const n = await client(N, "n5", [room]);
  const waits = [a, b, n].map((s) => waitDisconnect(s, WAIT * 2));
  assert.equal(await call(boss, "disconnect-sockets", { room, close: true }), true);
  // As Node's socket.disconnect(true): a DISCONNECT packet, then the connection closes.
  assert.deepEqual(await Promise.all(waits), ["io server disconnect", "io server disconnect", "io server disconnect"]);
  assert.ok(boss.connected, "the caller is not in the room and stays connected");
});

test("server_side_emit with ack from T1 gets one answer from T2 and one from the Node peer", { timeout: TEST_TIMEOUT }, async () => {
  const c = await client(T1, "asker");
  const r = await call(c, "server-emit", { args: ["hello", 7, "x"], ack: true });
  assert.equal(r.timed_out, false, JSON.stringify(r));
  const sorted = r.responses.sort((x, y) => (x.node < y.node ? -1 : 1));
  assert.deepEqual(sorted, [
    { node: "node-peer", args: [7, "x"] },
    { node: "t2", args: [7, "x"] },
  ]);
});

test("server_side_emit without ack reaches the other servers' handlers, not its own", { timeout: TEST_TIMEOUT }, async () => {
  const on1 = await client(T1, "watch1");
  const on2 = await client(T2, "watch2");
  const before = (N.heard ?? []).length;
  assert.equal(await call(on1, "server-emit", { args: ["hello", { note: 1 }] }), true);
  const ev = await on2.log.take(eventNamed("server-side"), WAIT, "the server-side event on T2");
  assert.deepEqual(ev.args, [{ event: "hello", args: [{ note: 1 }] }]);
  await eventually(
    () => {},
    async () => assert.equal((N.heard ?? []).length, before + 1),
    { what: "the Node peer's handler", ms: WAIT },
  );
  assert.equal(on1.log.events.filter((e) => e.event === "server-side").length, 0, "T1 must not hear itself");
});

test("server_side_emit with ack reports a timeout when a server has no handler", { timeout: TEST_TIMEOUT }, async () => {
  const c = await client(T1, "asker2");
  // Only T2 and T1 handle "hello"; "unheard" has no handler anywhere: no server answers.
  const r = await call(c, "server-emit", { args: ["unheard"], ack: true, timeout: 500 });
  assert.deepEqual(r, { timed_out: true, responses: [] });
});

test("serverSideEmit with ack from the Node peer is answered by the Switchboard handlers", { timeout: TEST_TIMEOUT }, async () => {
  const responses = await withTimeout(
    new Promise((resolve, reject) =>
      N.io.serverSideEmit("hello", 5, (err, r) => (err ? reject(err) : resolve(r))),
    ),
    WAIT * 2,
    "the answers to serverSideEmit",
  );
  assert.deepEqual(
    responses.sort((x, y) => (x.node < y.node ? -1 : 1)),
    [
      { node: "t1", args: [5] },
      { node: "t2", args: [5] },
    ],
  );
});

test("binary broadcast from a Switchboard node reaches the other node and the Node peer as binary", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("bin");
  const a = await client(T1, "bin-a", [room]);
  const b = await client(T2, "bin-b", [room]);
  const n = await client(N, "bin-n", [room]);
  await eventually(
    (i) => call(a, "to-room", { room, event: "probe", args: [i] }),
    async (ms) => {
      await b.log.take(eventNamed("probe"), ms, "a probe at T2");
      await n.log.take(eventNamed("probe"), ms, "a probe at N");
    },
    { what: "a first broadcast from T1 to T2 and N" },
  );
  assert.equal(await call(a, "to-room", { room, event: "blob", args: [Buffer.from([0, 1, 255]), { k: Buffer.from("hi") }] }), true);
  for (const c of [b, n]) {
    const ev = await c.log.take(eventNamed("blob"), WAIT, `the binary at ${c.log.name}`);
    assert.deepEqual([...new Uint8Array(ev.args[0])], [0, 1, 255]);
    assert.equal(Buffer.from(ev.args[1].k).toString(), "hi");
  }
});
