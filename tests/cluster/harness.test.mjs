// Sanity of the cluster harness itself, without Switchboard: two Node.js peers
// (@socket.io/redis-adapter) on one fresh redis-server talk to each other, the emitter reaches
// them, and a Redis restart is survived. If this file fails, the cluster tests below it prove
// nothing about Switchboard.

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
  messageStartingWith,
  messageWith,
  openUser,
  pingCluster,
  send,
  serverCount,
  waitServerCount,
  withTimeout,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let p1;
let p2;

before(async () => {
  redis = await res.redis();
  p1 = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  p2 = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  await waitServerCount(redis.url, 2);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("redis-server starts on a free port and answers", { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(redis.port > 0);
  assert.equal(await serverCount(redis.url), 2);
});

test("two Node peers deliver room messages to each other", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(p1, "ada");
  const bob = await openUser(p2, "bob");
  await join(ada, "lobby");
  await join(bob, "lobby");
  await eventually(
    (i) => send(ada, "lobby", `probe ${i}`),
    (ms) => bob.log.take(messageStartingWith("probe "), ms, "a probe"),
    { what: "a first message from peer 1 to peer 2" },
  );
  await send(bob, "lobby", "hi ada");
  const got = await ada.log.take(messageWith("hi ada"));
  assert.deepEqual({ ...got.args[0], ts: 0 }, { id: 0, room: "lobby", user: "bob", text: "hi ada", ts: 0 });
  await bob.log.take(messageWith("hi ada")); // sender included
});

test("requests between Node peers: allRooms, fetchSockets, serverSideEmit ping", { timeout: TEST_TIMEOUT }, async () => {
  const carol = await openUser(p2, "carol");
  await join(carol, "p2-only");
  const rooms = await withTimeout(p1.io.of("/").adapter.allRooms(), WAIT, "allRooms");
  assert.ok(rooms.has("p2-only"), `allRooms: ${JSON.stringify([...rooms])}`);
  const sockets = await withTimeout(p1.io.in("p2-only").fetchSockets(), WAIT, "fetchSockets");
  assert.deepEqual(
    sockets.map((s) => s.id),
    [carol.id],
  );
  const responses = await pingCluster(p1);
  assert.deepEqual(responses, [{ node: p2.name }]);
});

test("@socket.io/redis-emitter reaches Node peers", { timeout: TEST_TIMEOUT }, async () => {
  const dan = await openUser(p1, "dan");
  await join(dan, "news");
  const client = createClient({ url: redis.url });
  client.on("error", () => {});
  await withTimeout(client.connect(), WAIT, "emitter client to connect");
  try {
    const emitter = new Emitter(client);
    emitter.to("news").emit("announcement", { x: 1 });
    const ev = await dan.log.take(eventNamed("announcement"));
    assert.deepEqual(ev.args, [{ x: 1 }]);
  } finally {
    await client.disconnect();
  }
});

test("redis-server restarts on the same port and Node peers relink", { timeout: TEST_TIMEOUT }, async () => {
  const eve = await openUser(p1, "eve");
  const fay = await openUser(p2, "fay");
  await join(eve, "restart");
  await join(fay, "restart");
  const port = redis.port;
  await redis.stop();
  assert.equal(redis.alive(), false);
  await assert.rejects(serverCount(redis.url), "Redis should be down");
  await redis.start();
  assert.equal(redis.port, port);
  await waitServerCount(redis.url, 2);
  await eventually(
    (i) => send(eve, "restart", `after restart ${i}`),
    (ms) => fay.log.take(messageStartingWith("after restart "), ms, "a message after the restart"),
    { what: "a message between peers after the Redis restart" },
  );
});
