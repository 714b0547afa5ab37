// Redis unreachable at start: the node starts anyway, serves its clients, says so in /healthz and
// /metrics, and joins the cluster when Redis appears.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, metric } from "../chat/chat-harness.mjs";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventually,
  healthz,
  join,
  messageStartingWith,
  openUser,
  waitRedisState,
  send,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;

before(async () => {
  redis = await res.redis();
  await redis.stop(); // its port is known and nothing listens there now
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("a node whose Redis is down starts, serves, reports it, and joins when Redis appears", { timeout: TEST_TIMEOUT }, async () => {
  const h = await healthz(A);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.redis, "disconnected");
  assert.equal(await metric(A, "switchboard_redis_connected"), 0);

  // Local clients are served: they connect, join, and get local broadcasts.
  const ada = await openUser(A, "ada");
  const amy = await openUser(A, "amy");
  await join(ada, "early");
  await join(amy, "early");
  const pub = await api(A, "/api/publish", { json: { room: "early", event: "notice", data: "local" } });
  assert.equal(pub.status, 200, pub.text);
  assert.deepEqual((await amy.log.take("notice", WAIT, "a local broadcast")).args, ["local"]);

  await redis.start();
  await waitRedisState(A, "connected", LINK_WAIT);
  assert.equal(await metric(A, "switchboard_redis_connected"), 1);
  const B = await res.node({ redisUrl: redis.url, nodeId: "nB" });
  await waitRedisState(B, "connected", LINK_WAIT);
  const bob = await openUser(B, "bob");
  await join(bob, "early");
  await eventually(
    (i) => send(ada, "early", `joined ${i}`),
    (ms) => bob.log.take(messageStartingWith("joined"), ms, "a message from A"),
    { what: "delivery from A to B once Redis appeared" },
  );
});
