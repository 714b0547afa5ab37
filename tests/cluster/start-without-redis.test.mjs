// Redis unreachable at start: the node starts anyway, serves its clients, says so in /healthz and
// /metrics, and joins the cluster when Redis appears.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { metric } from "../chat/chat-harness.mjs";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  assertReachesNewNode,
  assertServesLocally,
  closeAllClients,
  healthz,
  waitRedisState,
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
  const ada = await assertServesLocally(A, "early");

  await redis.start();
  await waitRedisState(A, "connected", LINK_WAIT);
  assert.equal(await metric(A, "switchboard_redis_connected"), 1);
  await assertReachesNewNode(res, ada, "early", { redisUrl: redis.url });
});
