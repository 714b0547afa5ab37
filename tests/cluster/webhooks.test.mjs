// Webhooks across two Switchboard nodes on one Redis (docs/design.md#webhooks): every event once
// per cluster, sent by the node where it happened. A user with sockets on both nodes is added
// once and removed once, when its last socket leaves; a room is occupied and vacated once; each
// stored message is one event.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend } from "../lib/backend.mjs";
import { Resources, TEST_TIMEOUT, WAIT, api, closeAllClients, join, openUser, send, uniqueRoom, waitLinked } from "./cluster-harness.mjs";

const SECRET = "cluster-webhooks";
const res = new Resources();
let backend;
let A;
let B;
let seen;

before(async () => {
  backend = await startBackend();
  backend.answer("/wh", () => ({ status: 204 }));
  seen = backend.collect("/wh");
  const redis = await res.redis();
  const args = ["--webhook", backend.url("/wh"), "--hook-secret", SECRET];
  A = await res.node({ redisUrl: redis.url, nodeId: "wa", args });
  B = await res.node({ redisUrl: redis.url, nodeId: "wb", args });
  await waitLinked(redis, [A, B]);
});
after(async () => {
  closeAllClients();
  await res.close();
  await backend?.close();
});

test("each event once per cluster, from the node where it happened", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("both");
  const adaA = await openUser(A, "ada");
  const adaB = await openUser(B, "ada");
  const bob = await openUser(B, "bob");
  await join(adaA, room);
  await join(adaB, room); // the same user on the other node: no second member_added
  await join(bob, room);
  await send(bob, room, "from B");
  await api(A, "/api/leave", { json: { socket: adaA.id, room } }); // ada is still in it on B
  await api(B, "/api/leave", { json: { socket: adaB.id, room } }); // now ada is gone
  bob.disconnect(); // the last member: the room is vacated
  const mine = () => seen.events.filter((e) => e.room === room);
  await seen.until(() => mine().some((e) => e.type === "room_vacated"), WAIT + 5000, "the room vacated");
  // A duplicate would come before a later event of the same node: each node sends in order.
  const marker = uniqueRoom("marker");
  const [ma, mb] = [await openUser(A, "mark"), await openUser(B, "mark2")];
  await join(ma, marker);
  await join(mb, marker);
  await seen.until(
    (ev) => ["wa", "wb"].every((n) => ev.some((e) => e.room === marker && e.node === n)),
    WAIT + 5000,
    "the marker from both nodes",
  );
  const byNode = (node) => mine().filter((e) => e.node === node).map((e) => [e.type, e.user ?? null]);
  assert.deepEqual(byNode("wa"), [["room_occupied", null], ["member_added", "ada"]]);
  assert.deepEqual(byNode("wb"), [
    ["member_added", "bob"],
    ["message", "bob"],
    ["member_removed", "ada"],
    ["member_removed", "bob"],
    ["room_vacated", null],
  ]);
  assert.equal(mine().length, 7, "nothing twice");
});
