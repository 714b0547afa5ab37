// @socket.io/redis-emitter 5.1 (uid "emitter", docs/wire-format.md#redis-emitter): broadcasts and the
// fire-and-forget requests it publishes reach clients on Switchboard nodes A and B.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  openUser,
  waitDisconnect,
  waitLinked,
  withTimeout,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;
let B;
let emitter;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB" });
  const client = createClient({ url: redis.url });
  client.on("error", () => {});
  await withTimeout(client.connect(), WAIT, "the emitter's Redis client to connect");
  res.add(() => client.quit());
  emitter = new Emitter(client);
  await waitLinked(redis, [A, B]);
});

after(async () => {
  closeAllClients();
  await res.close();
});

// Emits (through `target()`) until every log has seen a probe; each attempt has its own seq.
async function probeAll(target, logs) {
  for (const log of logs) {
    await eventually(
      (i) => target().emit("probe", { seq: i }),
      (ms) => log.take(eventNamed("probe"), ms, "a probe from the emitter"),
      { what: `a first emitter broadcast to ${log.name}` },
    );
  }
}

test("emitter.to(room).emit reaches the room's clients on both nodes, and only them", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  const out = await openUser(B, "out"); // not in the room
  await join(ada, "lobby");
  await join(bob, "lobby");
  await join(out, "elsewhere");
  await probeAll(() => emitter.to("lobby"), [ada.log, bob.log]);

  emitter.to("lobby").emit("announcement", { x: 1 });
  for (const c of [ada, bob]) {
    const ev = await c.log.take(eventNamed("announcement"), WAIT, "the announcement");
    assert.deepEqual(ev.args, [{ x: 1 }]);
  }
  // "out" got nothing before a later broadcast to its own room
  await eventually(
    (i) => emitter.to("elsewhere").emit("marker", i),
    (ms) => out.log.take(eventNamed("marker"), ms, "a marker"),
    { what: "a marker to the other room" },
  );
  assert.deepEqual(out.log.events.filter((e) => e.event === "announcement" || e.event === "probe"), []);
});

test("emitter.emit reaches every client on both nodes", { timeout: TEST_TIMEOUT }, async () => {
  const cal = await openUser(A, "cal"); // no room
  const dee = await openUser(B, "dee"); // no room
  await probeAll(() => emitter, [cal.log, dee.log]);
  emitter.emit("broadcast", "to everyone", { n: 2 }, [true, null]);
  for (const c of [cal, dee]) {
    const ev = await c.log.take(eventNamed("broadcast"), WAIT, "the broadcast");
    assert.deepEqual(ev.args, ["to everyone", { n: 2 }, [true, null]]);
  }
});

test("emitter.to(room).except(room) and binary arguments", { timeout: TEST_TIMEOUT }, async () => {
  const eve = await openUser(A, "eve");
  const fox = await openUser(B, "fox");
  await join(eve, "hall");
  await join(fox, "hall");
  await join(fox, "vip");
  await probeAll(() => emitter.to("hall"), [eve.log, fox.log]);
  emitter.to("hall").except("vip").emit("news", "not for vip");
  emitter.to("hall").emit("news", Buffer.from([1, 2, 3]));
  const seen = {};
  for (const c of [eve, fox]) {
    const events = await c.log.until(eventNamed("news", (x) => typeof x !== "string"), WAIT, "the binary news");
    seen[c.log.name] = events
      .filter((e) => e.event === "news")
      .map((e) => (typeof e.args[0] === "string" ? e.args[0] : [...new Uint8Array(e.args[0])]));
  }
  assert.deepEqual(seen, { eve: ["not for vip", [1, 2, 3]], fox: [[1, 2, 3]] });
});

test("emitter.in(room).socketsJoin / disconnectSockets reach Switchboard sockets", { timeout: TEST_TIMEOUT }, async () => {
  const gus = await openUser(A, "gus");
  const hal = await openUser(B, "hal");
  const ian = await openUser(B, "ian"); // not in "team"
  await join(gus, "team");
  await join(hal, "team");
  await join(ian, "solo");
  // socketsJoin is fire-and-forget: repeat it with the broadcast until both see the new room.
  for (const c of [gus, hal]) {
    await eventually(
      (i) => {
        emitter.in("team").socketsJoin("joined-by-emitter");
        emitter.to("joined-by-emitter").emit("via-join", i);
      },
      (ms) => c.log.take(eventNamed("via-join"), ms, "a broadcast to the joined room"),
      { what: `${c.log.name} to join a room through the emitter` },
    );
  }
  emitter.to("solo").emit("solo-marker");
  await ian.log.take(eventNamed("solo-marker"));
  assert.deepEqual(ian.log.events.filter((e) => e.event === "via-join"), [], "ian is not in team");

  const gone = [gus, hal].map((c) => waitDisconnect(c, WAIT + 2000));
  emitter.in("team").disconnectSockets(true);
  const reasons = await Promise.all(gone);
  assert.deepEqual(reasons, ["io server disconnect", "io server disconnect"]);
  assert.equal(ian.connected, true, "ian (not in team) stays connected");
});
