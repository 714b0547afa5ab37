// Without --redis a node is standalone (docs/design.md#cluster): /healthz says redis "disabled", it serves its
// own clients, and it is no member of a cluster running on a Redis next to it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  assertChatMessage,
  assertNoMessage,
  closeAllClients,
  eventually,
  healthz,
  join,
  messageStartingWith,
  messageWith,
  openUser,
  send,
  serverCount,
  waitLinked,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let S; // standalone
let A; // clustered, on redis
let N; // Node peer, on redis

before(async () => {
  redis = await res.redis();
  S = await res.node({ nodeId: "nS" });
});

after(async () => {
  closeAllClients();
  await res.close();
});

test('/healthz of a node without --redis says redis "disabled"', { timeout: TEST_TIMEOUT }, async () => {
  const h = await healthz(S);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json?.status, "ok", h.text);
  assert.equal(h.json?.node, "nS", h.text);
  assert.equal(h.json?.redis, "disabled", h.text);
});

test("a standalone node delivers chat messages between its own clients", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(S, "ada");
  const bob = await openUser(S, "bob");
  await join(ada, "lobby");
  await join(bob, "lobby");
  const id = await send(ada, "lobby", "standalone hello");
  const got = (await bob.log.take(messageWith("standalone hello"))).args[0];
  assertChatMessage(got, { room: "lobby", user: "ada", text: "standalone hello" }, "at bob");
  assert.equal(got.id, id);
  await ada.log.take(messageWith("standalone hello"));
});

test("a standalone node is not part of the cluster next to it", { timeout: TEST_TIMEOUT }, async () => {
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  N = await res.peer({ redisUrl: redis.url });
  await waitLinked(redis, [A], 2);
  assert.equal(await serverCount(redis.url), 2, "only A and the Node peer are subscribed");
  const sam = await openUser(S, "sam");
  const amy = await openUser(A, "amy");
  const nia = await openUser(N, "nia");
  for (const c of [sam, amy, nia]) await join(c, "shared");
  // A's message reaches the cluster (the Node peer) ...
  await eventually(
    (i) => send(amy, "shared", `cluster ${i}`),
    (ms) => nia.log.take(messageStartingWith("cluster "), ms, "a message from A"),
    { what: "a message from node A to the Node peer" },
  );
  await send(amy, "shared", "cluster only");
  await nia.log.take(messageWith("cluster only"));
  // ... and never the standalone node: its next own message arrives with nothing from A before it.
  await send(sam, "shared", "standalone marker");
  const events = await sam.log.until(messageWith("standalone marker"));
  assertNoMessage(events, "cluster only", "sam (standalone)");
  assert.deepEqual(
    events.filter((e) => e.event === "message").map((e) => e.args[0].text),
    ["standalone marker"],
  );
  // and the standalone node's message stays on it
  await send(amy, "shared", "cluster marker");
  assertNoMessage(await nia.log.until(messageWith("cluster marker")), "standalone marker", "nia (cluster)");
});
