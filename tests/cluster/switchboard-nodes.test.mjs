// Two Switchboard nodes on one Redis (docs/design.md#cluster): a chat message sent on one node reaches the
// room's clients on the other, sender included, exactly once; rooms stay apart.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  assertChatMessage,
  assertNoMessage,
  closeAllClients,
  eventually,
  join,
  messageStartingWith,
  messageWith,
  openUser,
  send,
  waitLinked,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;
let B;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB" });
  await waitLinked(redis, [A, B]);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("a message on node A reaches bob on node B and ada on A, once each; bob's reaches ada", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  await join(ada, "lobby");
  await join(bob, "lobby");

  // The first cross-node message may race the remote subscription: repeat until one lands.
  await eventually(
    (i) => send(ada, "lobby", `probe ${i}`),
    (ms) => bob.log.take(messageStartingWith("probe "), ms, "a probe from A"),
    { what: "a first message from node A to node B" },
  );

  const id = await send(ada, "lobby", "hello bob");
  const atBob = (await bob.log.take(messageWith("hello bob"))).args[0];
  const atAda = (await ada.log.take(messageWith("hello bob"))).args[0];
  assertChatMessage(atBob, { room: "lobby", user: "ada", text: "hello bob" }, "at bob (node B)");
  assert.deepEqual(atBob, atAda, "both nodes deliver the same message object");
  assert.equal(atBob.id, id, "the id in the ack is the id delivered");

  await send(bob, "lobby", "hi ada");
  const back = (await ada.log.take(messageWith("hi ada"))).args[0];
  assertChatMessage(back, { room: "lobby", user: "bob", text: "hi ada" }, "at ada (node A)");
  await bob.log.take(messageWith("hi ada"));

  // Exactly once: a later marker arrives with no second copy of either message before it.
  await send(ada, "lobby", "marker 1");
  const atBobBefore = await bob.log.until(messageWith("marker 1"));
  assertNoMessage(atBobBefore, "hello bob", "bob (second copy)");
  assertNoMessage(atBobBefore, "hi ada", "bob (second copy of his own)");
  const atAdaBefore = await ada.log.until(messageWith("marker 1"));
  assertNoMessage(atAdaBefore, "hello bob", "ada (second copy of her own)");
  assertNoMessage(atAdaBefore, "hi ada", "ada (second copy)");
});

test("a message to another room reaches that room's clients on B but not bob", { timeout: TEST_TIMEOUT }, async () => {
  const amy = await openUser(A, "amy");
  const ben = await openUser(B, "ben"); // in "hall" only
  const cid = await openUser(B, "cid"); // in "side" only: node B knows the room "side"
  await join(amy, "hall");
  await join(amy, "side");
  await join(ben, "hall");
  await join(cid, "side");
  await eventually(
    (i) => send(amy, "hall", `probe ${i}`),
    (ms) => ben.log.take(messageStartingWith("probe "), ms, "a probe from A"),
    { what: "a first message from node A to node B" },
  );

  await send(amy, "side", "side only");
  const atCid = (await cid.log.take(messageWith("side only"))).args[0];
  assertChatMessage(atCid, { room: "side", user: "amy", text: "side only" }, "at cid (node B)");
  await send(amy, "hall", "hall after side");
  const before = await ben.log.until(messageWith("hall after side"));
  assertNoMessage(before, "side only", "ben (not in side)");
  await send(amy, "side", "side marker");
  assertNoMessage(await cid.log.until(messageWith("side marker")), "hall after side", "cid (not in hall)");
});

test("message ids are unique across the cluster and increase per room (docs/design.md#chat-events)", { timeout: TEST_TIMEOUT }, async () => {
  const dot = await openUser(A, "dot");
  const eli = await openUser(B, "eli");
  await join(dot, "ids");
  await join(eli, "ids");
  await eventually(
    (i) => send(dot, "ids", `probe ${i}`),
    (ms) => eli.log.take(messageStartingWith("probe "), ms, "a probe from A"),
    { what: "a first message from node A to node B" },
  );
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push(await send(dot, "ids", `from A ${i}`));
    ids.push(await send(eli, "ids", `from B ${i}`));
  }
  assert.ok(ids.every(Number.isInteger), `ids: ${JSON.stringify(ids)}`);
  assert.equal(new Set(ids).size, ids.length, `ids should be unique across nodes: ${JSON.stringify(ids)}`);
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i] > ids[i - 1], `ids should increase in the room across nodes: ${JSON.stringify(ids)}`);
  }
});
