// A mixed cluster (docs/design.md#cluster): Switchboard node A and a Node.js Socket.IO server N with
// @socket.io/redis-adapter on one Redis. Broadcasts from either side reach clients of both, with
// the adapter's room / except semantics.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  assertChatMessage,
  assertNoMessage,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  messageStartingWith,
  messageWith,
  openUser,
  send,
  serverCount,
  waitLinked,
  waitRedisState,
  waitServerCount,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;
let N;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  N = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  await waitLinked(redis, [A], 2);
});

after(async () => {
  closeAllClients();
  await res.close();
});

// Emits from N to `room` (or everyone) until `log` sees an event `name` whose first argument has
// {seq}; each attempt carries its own seq. For the first broadcast from N that A must hear.
function firstBroadcastFromN(target, log, name = "probe") {
  return eventually(
    (i) => target().emit(name, { seq: i }),
    (ms) => log.take(eventNamed(name, (d) => Number.isInteger(d?.seq)), ms, `a "${name}" from N`),
    { what: `a first broadcast from the Node peer to node A` },
  );
}

test("a chat message sent on Switchboard reaches the room's client on the Node peer", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const nia = await openUser(N, "nia");
  await join(ada, "lobby");
  await join(nia, "lobby");
  await eventually(
    (i) => send(ada, "lobby", `probe ${i}`),
    (ms) => nia.log.take(messageStartingWith("probe "), ms, "a probe from A"),
    { what: "a first message from node A to the Node peer" },
  );
  const id = await send(ada, "lobby", "hello from A");
  const got = (await nia.log.take(messageWith("hello from A"))).args[0];
  assertChatMessage(got, { room: "lobby", user: "ada", text: "hello from A" }, "at nia (Node peer)");
  assert.equal(got.id, id);
  const own = (await ada.log.take(messageWith("hello from A"))).args[0];
  assert.deepEqual(got, own, "the Node peer delivers the object node A delivered");
});

test("a chat message sent on the Node peer reaches the room's client on Switchboard", { timeout: TEST_TIMEOUT }, async () => {
  const amy = await openUser(A, "amy");
  const ned = await openUser(N, "ned");
  await join(amy, "hall");
  await join(ned, "hall");
  await eventually(
    (i) => send(ned, "hall", `probe ${i}`),
    (ms) => amy.log.take(messageStartingWith("probe "), ms, "a probe from N"),
    { what: "a first message from the Node peer to node A" },
  );
  await send(ned, "hall", "hello from N");
  const got = (await amy.log.take(messageWith("hello from N"))).args[0];
  assert.deepEqual({ ...got, ts: 0 }, { id: 0, room: "hall", user: "ned", text: "hello from N", ts: 0 });
  // exactly once: a later message arrives with no second copy before it
  await send(ned, "hall", "marker");
  assertNoMessage(await amy.log.until(messageWith("marker")), "hello from N", "amy (second copy)");
});

test("io.emit() on the Node peer reaches every client of Switchboard, in a room or not", { timeout: TEST_TIMEOUT }, async () => {
  const ann = await openUser(A, "ann"); // in no room
  const abe = await openUser(A, "abe");
  await join(abe, "somewhere");
  await firstBroadcastFromN(() => N.io, ann.log);
  N.io.emit("announcement", { to: "all" }, 2);
  for (const c of [ann, abe]) {
    const ev = await c.log.take(eventNamed("announcement"), WAIT, "the announcement");
    assert.deepEqual(ev.args, [{ to: "all" }, 2]);
  }
});

test("io.to(room).except(socket id) and .except(room) on the Node peer", { timeout: TEST_TIMEOUT }, async () => {
  const ida = await openUser(A, "ida");
  const ivy = await openUser(A, "ivy");
  const ike = await openUser(A, "ike");
  for (const c of [ida, ivy, ike]) await join(c, "club");
  await join(ike, "vip");
  await firstBroadcastFromN(() => N.io.to("club"), ida.log);

  N.io.to("club").except(ivy.id).emit("news", "not for ivy");
  N.io.to("club").except("vip").emit("news", "not for vip");
  N.io.to("club").emit("news", "for all");
  const got = {};
  for (const c of [ida, ivy, ike]) {
    const events = await c.log.until(eventNamed("news", (t) => t === "for all"), WAIT, "news for all");
    got[c.log.name] = events.filter((e) => e.event === "news").map((e) => e.args[0]);
  }
  assert.deepEqual(got, {
    ida: ["not for ivy", "not for vip", "for all"],
    ivy: ["not for vip", "for all"],
    ike: ["not for ivy", "for all"],
  });
});

test("a broadcast from the Node peer to several rooms reaches each client once", { timeout: TEST_TIMEOUT }, async () => {
  const kai = await openUser(A, "kai"); // in r1 and r2
  const kim = await openUser(A, "kim"); // in r2 only
  const kit = await openUser(A, "kit"); // in r3 only
  await join(kai, "r1");
  await join(kai, "r2");
  await join(kim, "r2");
  await join(kit, "r3");
  await firstBroadcastFromN(() => N.io.to("r1"), kai.log);
  N.io.to(["r1", "r2"]).emit("multi", 1);
  N.io.to("r3").to("r2").emit("multi", "end");
  const seen = {};
  for (const c of [kai, kim, kit]) {
    const events = await c.log.until(eventNamed("multi", (x) => x === "end"), WAIT, "the end marker");
    seen[c.log.name] = events.filter((e) => e.event === "multi").map((e) => e.args[0]);
  }
  assert.deepEqual(seen, { kai: [1, "end"], kim: [1, "end"], kit: ["end"] });
});

test("binary arguments from the Node peer reach Switchboard clients as binary", { timeout: TEST_TIMEOUT }, async () => {
  const bo = await openUser(A, "bo");
  await join(bo, "bin");
  await firstBroadcastFromN(() => N.io.to("bin"), bo.log);
  N.io.to("bin").emit("blob", Buffer.from([0, 1, 2, 255]), { name: "x", data: Buffer.from("hi") });
  const ev = await bo.log.take(eventNamed("blob"));
  const [first, second] = ev.args;
  const bytes = (b) => [...new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))];
  assert.ok(first instanceof ArrayBuffer || ArrayBuffer.isView(first), `first argument should be binary: ${JSON.stringify(first)}`);
  assert.deepEqual(bytes(first), [0, 1, 2, 255]);
  assert.equal(second?.name, "x");
  assert.ok(second.data instanceof ArrayBuffer || ArrayBuffer.isView(second.data), `nested binary: ${JSON.stringify(second)}`);
  assert.deepEqual(bytes(second.data), [...Buffer.from("hi")]);
});

test("a Date and undefined from the Node peer arrive as a Node client would see them", { timeout: TEST_TIMEOUT }, async () => {
  const cy = await openUser(A, "cy");
  const nn = await openUser(N, "nn");
  await join(cy, "dates");
  await join(nn, "dates");
  await firstBroadcastFromN(() => N.io.to("dates"), cy.log);
  const when = new Date(Date.UTC(2026, 10, 30, 10, 0, 0, 42));
  N.io.to("dates").emit("when", when, { at: when, gone: undefined }, [undefined]);
  const [here, there] = await Promise.all([
    cy.log.take(eventNamed("when"), WAIT, "the Date at the Switchboard client"),
    nn.log.take(eventNamed("when"), WAIT, "the Date at the Node client"),
  ]);
  // As JSON.stringify: ISO strings for dates, null for undefined in an array, no undefined key.
  assert.deepEqual(there.args, ["2026-11-30T10:00:00.042Z", { at: "2026-11-30T10:00:00.042Z" }, [null]]);
  assert.deepEqual(here.args, there.args);
});

test("--key-prefix: a node with another prefix talks to a Node peer with that key, not to the default ones", { timeout: TEST_TIMEOUT }, async () => {
  const A2 = await res.node({ redisUrl: redis.url, nodeId: "nA2", args: ["--key-prefix", "custom"] });
  const N2 = await res.peer({ redisUrl: redis.url, key: "custom", requestsTimeout: WAIT });
  await waitRedisState(A2, "connected");
  await waitServerCount(redis.url, 2, { key: "custom" });
  assert.equal(await serverCount(redis.url, "/", "custom"), 2, "A2 and N2 on custom-request#/#");
  assert.equal(await serverCount(redis.url), 2, "A and N still alone on socket.io-request#/#");

  const pam = await openUser(A2, "pam"); // custom prefix
  const nan = await openUser(N2, "nan"); // custom prefix
  const ora = await openUser(N, "ora"); // default prefix
  for (const c of [pam, nan, ora]) await join(c, "prefixed");
  await eventually(
    (i) => send(pam, "prefixed", `probe ${i}`),
    (ms) => nan.log.take(messageStartingWith("probe "), ms, "a probe from A2"),
    { what: "a first message from A2 to N2 (prefix custom)" },
  );
  await send(nan, "prefixed", "from N2");
  await pam.log.take(messageWith("from N2"));
  // ora (default prefix) heard nothing of it: its own next message arrives first
  await send(ora, "prefixed", "ora marker");
  const events = await ora.log.until(messageWith("ora marker"));
  assert.deepEqual(
    events.filter((e) => e.event === "message").map((e) => e.args[0].text),
    ["ora marker"],
  );
  // and pam heard nothing from the default prefix
  await send(nan, "prefixed", "pam marker");
  assertNoMessage(await pam.log.until(messageWith("pam marker")), "ora marker", "pam (prefix custom)");
});
