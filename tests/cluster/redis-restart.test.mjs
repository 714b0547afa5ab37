// Redis goes away and comes back (docs/design.md#cluster: reconnect, resubscribe): /healthz follows the
// link, a node keeps delivering broadcasts to its own clients meanwhile (chat messages, whose history
// lives in Redis, are refused as unavailable rather than acknowledged unstored), and after the restart
// cross-node delivery works again without any client or node being restarted.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  LINK_WAIT,
  Resources,
  WAIT,
  ack,
  api,
  assertChatMessage,
  assertRefusal,
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
  waitRedisState,
  waitServerCount,
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

test("Redis restart: disconnected while away, local delivery goes on, relinked afterwards", { timeout: 60000 }, async () => {
  const ada = await openUser(A, "ada");
  const amy = await openUser(A, "amy");
  const bob = await openUser(B, "bob");
  for (const c of [ada, amy, bob]) await join(c, "lobby");
  await eventually(
    (i) => send(ada, "lobby", `before ${i}`),
    (ms) => bob.log.take(messageStartingWith("before "), ms, "a message from A"),
    { what: "a first message from node A to node B" },
  );
  const h0 = await healthz(A);
  assert.equal(h0.status, 200, h0.text);
  assert.equal(h0.json?.redis, "connected", h0.text);
  assert.equal(h0.json?.node, "nA", h0.text);

  await redis.stop();
  await waitRedisState(A, "disconnected", LINK_WAIT);
  await waitRedisState(B, "disconnected", LINK_WAIT);
  const h1 = await healthz(A);
  assert.equal(h1.status, 200, `a node without Redis is still alive: ${h1.text}`);

  // While Redis is away, chat history (kept in Redis in a cluster) cannot store: a chat message is
  // refused with `unavailable`, never acknowledged unstored. Broadcasts are still delivered to the
  // node's own clients.
  const refused = await ack(ada, "message", { room: "lobby", text: "while redis is away" });
  assertRefusal(refused, "unavailable", "chat message while Redis is away");
  const pub = await api(A, "/api/publish", { method: "POST", json: { room: "lobby", event: "notice", data: "local" } });
  assert.equal(pub.status, 200, pub.text);
  assert.deepEqual((await amy.log.take("notice", WAIT, "a local broadcast at amy")).args, ["local"]);
  assert.deepEqual((await ada.log.take("notice", WAIT, "a local broadcast at ada")).args, ["local"]);

  await redis.start();
  const restarted = Date.now();
  await waitRedisState(A, "connected", 20000);
  await waitRedisState(B, "connected", 20000);
  await waitServerCount(redis.url, 2);
  assert.equal(await serverCount(redis.url), 2);

  // Subscriptions are back on both nodes: A -> B and B -> A.
  await eventually(
    (i) => send(ada, "lobby", `after A ${i}`),
    (ms) => bob.log.take(messageStartingWith("after A "), ms, "a message from A after the restart"),
    { what: "a message from node A to node B after the Redis restart", ms: 5000 },
  );
  await eventually(
    (i) => send(bob, "lobby", `after B ${i}`),
    (ms) => ada.log.take(messageStartingWith("after B "), ms, "a message from B after the restart"),
    { what: "a message from node B to node A after the Redis restart", ms: 5000 },
  );
  // The recovery time, for the record (reconnection backoff is at most 5 s).
  console.log(`# cross-node delivery resumed ${Date.now() - restarted} ms after Redis was back`);
  // the client sockets survived: still the same connections
  for (const c of [ada, amy, bob]) assert.equal(c.connected, true, `${c.log.name} stayed connected`);
});
