// The dashboard and /metrics of a clustered node (docs/design.md#http-api: every node of the cluster
// and the Redis link): the `stats` of `/admin` list every live node with its figures, and /metrics
// shows the link's state and publish latency.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { metric } from "../chat/chat-harness.mjs";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  connectUser,
  eventually,
  join,
  messageStartingWith,
  openUser,
  send,
  waitLinked,
  waitConnected,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A;
let B;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "dash-a", args: ["--api-key", "k"] });
  B = await res.node({ redisUrl: redis.url, nodeId: "dash-b", args: ["--api-key", "k"] });
  await waitLinked(redis, [A, B]);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("stats on node A list both nodes with their figures", { timeout: TEST_TIMEOUT }, async () => {
  // A client on B makes B's figures differ from A's.
  const bob = await openUser(B, "bob");
  const dash = connectUser({ ...A, url: `${A.url}/admin` }, { key: "k" }, {}, "dashboard");
  await waitConnected(dash);
  const deadline = Date.now() + 8000;
  let nodes = [];
  while (Date.now() < deadline) {
    const ev = await dash.log.take("stats", WAIT, "a stats event");
    nodes = ev.args[0]?.nodes ?? [];
    if (nodes.length === 2) break;
  }
  assert.deepEqual(nodes.map((n) => n.node), ["dash-a", "dash-b"], JSON.stringify(nodes));
  const b = nodes.find((n) => n.node === "dash-b");
  assert.ok(b.connections >= 1, `B counts bob's connection: ${JSON.stringify(b)}`);
  for (const n of nodes) {
    assert.equal(n.redis, "connected");
    assert.equal(typeof n.messages_per_s, "number");
    assert.equal(typeof n.deliveries_per_s, "number");
  }
  assert.ok(bob.connected);
});

test("/metrics shows the Redis link and the last publish's round trip", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const cid = await openUser(B, "cid");
  await join(ada, "metered");
  await join(cid, "metered");
  await eventually(
    (i) => send(ada, "metered", `m ${i}`),
    (ms) => cid.log.take(messageStartingWith("m "), ms, "a message from A"),
    { what: "a message from A to B" },
  );
  assert.equal(await metric(A, "switchboard_redis_connected"), 1);
  const latency = await metric(A, "switchboard_redis_publish_latency_seconds");
  assert.ok(latency > 0 && latency < 5, `publish latency ${latency}`);
});
