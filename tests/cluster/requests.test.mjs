// Requests from a Node.js Socket.IO server (@socket.io/redis-adapter) are answered by Switchboard
// nodes (docs/design.md#cluster, docs/wire-format.md#classic-adapter): the Node side never waits for its timeout because of
// Switchboard. Cluster: Switchboard nodes A (nA) and B (nB), Node peer N (requestsTimeout 3 s).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  openUser,
  pingCluster,
  serverCount,
  waitDisconnect,
  waitLinked,
  withTimeout,
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

test("each node subscribes the request channel once (NUMSUB = number of servers)", { timeout: TEST_TIMEOUT }, async () => {
  // The Node adapter waits for NUMSUB responses: a node subscribed twice would make it time out.
  assert.equal(await serverCount(redis.url), 3);
});

test("allRooms() on the Node peer resolves and lists a room joined only on Switchboard", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  await join(ada, "only-on-a");
  await join(bob, "only-on-b");
  const rooms = await withTimeout(N.io.of("/").adapter.allRooms(), WAIT, "allRooms() on the Node peer");
  assert.ok(rooms.has("only-on-a"), `allRooms: ${JSON.stringify([...rooms])}`);
  assert.ok(rooms.has("only-on-b"), `allRooms: ${JSON.stringify([...rooms])}`);
});

test("fetchSockets() on the Node peer resolves and includes the Switchboard sockets", { timeout: TEST_TIMEOUT }, async () => {
  const cal = await openUser(A, "cal");
  const dee = await openUser(B, "dee");
  const nia = await openUser(N, "nia");
  await join(cal, "fetch");
  await join(dee, "fetch");
  await join(nia, "fetch");

  const all = await withTimeout(N.io.fetchSockets(), WAIT, "fetchSockets() on the Node peer");
  const ids = all.map((s) => s.id);
  for (const c of [cal, dee, nia]) assert.ok(ids.includes(c.id), `${c.log.name} (${c.id}) in ${JSON.stringify(ids)}`);

  const inRoom = await withTimeout(N.io.in("fetch").fetchSockets(), WAIT, "fetchSockets() of a room");
  assert.deepEqual(inRoom.map((s) => s.id).sort(), [cal.id, dee.id, nia.id].sort());
  const remote = inRoom.find((s) => s.id === cal.id);
  assert.deepEqual(
    [...remote.rooms].sort(),
    [cal.id, "fetch", "user:cal"].sort(),
    "rooms of cal: its own id, its user's room and the joined room",
  );
  const none = await withTimeout(N.io.in("no-such-room").fetchSockets(), WAIT, "fetchSockets() of an empty room");
  assert.deepEqual(none, []);
});

test('serverSideEmit("ping") with an ack returns one response per Switchboard node, with its node id', { timeout: TEST_TIMEOUT }, async () => {
  const responses = await pingCluster(N);
  assert.equal(responses.length, 2, `responses: ${JSON.stringify(responses)}`);
  for (const id of ["nA", "nB"]) {
    const carrying = responses.filter((r) => JSON.stringify(r).includes(JSON.stringify(id)));
    assert.equal(carrying.length, 1, `one response should carry node id ${id}: ${JSON.stringify(responses)}`);
  }
});

test("serverSideEmit of other events without an ack is harmless to Switchboard nodes", { timeout: TEST_TIMEOUT }, async () => {
  N.io.serverSideEmit("something-else", { a: 1 }, [2, "x"]);
  N.io.serverSideEmit("ping"); // a ping without an ack expects no answer
  const responses = await pingCluster(N);
  assert.equal(responses.length, 2, `responses after other server-side events: ${JSON.stringify(responses)}`);
  for (const n of [A, B]) assert.equal(n.alive(), true, `${n.name} is still running`);
});

test("io.in(room).socketsJoin(other) makes Switchboard clients in room hear broadcasts to other", { timeout: TEST_TIMEOUT }, async () => {
  const eve = await openUser(A, "eve");
  const fox = await openUser(B, "fox");
  const gil = await openUser(A, "gil"); // not in "src"
  await join(eve, "src");
  await join(fox, "src");
  await join(gil, "bystander");
  N.io.in("src").socketsJoin("dst");
  // socketsJoin is fire-and-forget: the join is visible once fetchSockets lists the sockets in dst.
  await eventually(
    () => {},
    async () => {
      const s = await withTimeout(N.io.in("dst").fetchSockets(), WAIT, "fetchSockets() of dst");
      const ids = s.map((x) => x.id).sort();
      assert.deepEqual(ids, [eve.id, fox.id].sort());
    },
    { what: "eve and fox to be in dst", every: 100 },
  );
  N.io.to("dst").emit("to-dst", 1);
  for (const c of [eve, fox]) assert.deepEqual((await c.log.take(eventNamed("to-dst"))).args, [1]);
  N.io.to("bystander").emit("marker");
  await gil.log.take(eventNamed("marker"));
  assert.deepEqual(gil.log.events.filter((e) => e.event === "to-dst"), [], "gil is not in dst");
});

test("io.in(room).socketsLeave(room2) removes Switchboard clients from room2", { timeout: TEST_TIMEOUT }, async () => {
  const hal = await openUser(A, "hal");
  const ian = await openUser(B, "ian");
  await join(hal, "stay");
  await join(hal, "go");
  await join(ian, "stay");
  await join(ian, "go");
  N.io.in("go").socketsLeave("stay");
  await eventually(
    () => {},
    async () => {
      const s = await withTimeout(N.io.in("stay").fetchSockets(), WAIT, "fetchSockets() of stay");
      assert.deepEqual(s.map((x) => x.id), []);
    },
    { what: "hal and ian to leave stay", every: 100 },
  );
  N.io.to("stay").emit("to-stay");
  N.io.to("go").emit("to-go");
  for (const c of [hal, ian]) {
    const events = await c.log.until(eventNamed("to-go"));
    assert.deepEqual(events.filter((e) => e.event === "to-stay"), [], `${c.log.name} left stay`);
  }
});

test("io.in(room).disconnectSockets(true) disconnects the Switchboard clients in the room", { timeout: TEST_TIMEOUT }, async () => {
  const jon = await openUser(A, "jon");
  const kay = await openUser(B, "kay");
  const lee = await openUser(B, "lee"); // not in the room
  await join(jon, "doomed");
  await join(kay, "doomed");
  await join(lee, "safe");
  const gone = [jon, kay].map((c) => waitDisconnect(c, WAIT + 2000));
  N.io.in("doomed").disconnectSockets(true);
  assert.deepEqual(await Promise.all(gone), ["io server disconnect", "io server disconnect"]);
  N.io.to("safe").emit("still-here");
  await lee.log.take(eventNamed("still-here"));
  assert.equal(lee.connected, true);
  const left = await withTimeout(N.io.in("doomed").fetchSockets(), WAIT, "fetchSockets() of doomed");
  assert.deepEqual(left, []);
});

test(
  "a broadcast with acknowledgements from the Node peer collects the Switchboard clients' acks",
  { timeout: TEST_TIMEOUT },
  async () => {
  const max = await openUser(A, "max");
  const ned = await openUser(B, "ned");
  await join(max, "askers");
  await join(ned, "askers");
  const received = []; // what each client got: the argument, and whether an ack was asked for
  for (const c of [max, ned]) {
    c.on("question", (q, cb) => {
      received.push({ client: c.log.name, q, ackRequested: typeof cb === "function" });
      if (typeof cb === "function") cb({ from: c.log.name, q });
    });
  }
  let answers;
  try {
    answers = await withTimeout(
      N.io.timeout(WAIT).to("askers").emitWithAck("question", 42),
      WAIT + 1000,
      "acks of a broadcast from the Node peer",
    );
  } catch (err) {
    err.message += `; the clients received: ${JSON.stringify(received)}`;
    throw err;
  }
  assert.deepEqual(
    answers.sort((a, b) => String(a?.from).localeCompare(String(b?.from))),
    [
      { from: "max", q: 42 },
      { from: "ned", q: 42 },
    ],
    `acks collected by the Node peer; the clients received so far: ${JSON.stringify(received)}`,
  );
  },
);
