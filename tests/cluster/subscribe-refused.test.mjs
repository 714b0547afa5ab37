// A Redis that refuses the node's subscriptions (a Redis user whose ACL lacks the channels): the
// node serves its own clients, reports the link as disconnected, logs the refusal with the channels
// to grant, counts it, and links up by itself once they are granted (it asks again every 5 s). In
// classic mode (SUBSCRIBE, PSUBSCRIBE) and in sharded mode (SSUBSCRIBE).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { metric } from "../chat/chat-harness.mjs";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  assertReachesNewNode,
  assertServesLocally,
  closeAllClients,
  healthz,
  pause,
  redisCommand,
  waitRedisState,
} from "./cluster-harness.mjs";

// Waits (bounded) until the node's output has a line matching `re`; returns that line.
async function logLine(node, re, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = node
      .output()
      .split("\n")
      .find((l) => re.test(l));
    if (line) return line;
    if (Date.now() >= deadline) throw new Error(`no log line matching ${re} within ${ms} ms:\n${node.output()}`);
    await pause(100); // poll period of the log, bounded by the deadline
  }
}

for (const mode of ["classic", "sharded"]) {
  describe(`${mode} mode`, () => {
    const res = new Resources();
    let redis;
    let A;

    before(async () => {
      redis = await res.redis();
      // The default user may still run commands, but no longer use any Pub/Sub channel.
      await redisCommand(redis.url, ["ACL", "SETUSER", "default", "resetchannels"]);
      A = await res.node({ redisUrl: redis.url, nodeId: "nA", args: ["--redis-mode", mode] });
    });

    after(async () => {
      closeAllClients();
      await res.close();
    });

    test("refused subscriptions: logged with the channels, counted, disconnected; granted: linked", { timeout: TEST_TIMEOUT }, async () => {
      const line = await logLine(A, /event=redis_subscribe_refused/, LINK_WAIT);
      assert.match(line, /NOPERM/, `Redis's reason is in the log line: ${line}`);
      const named = mode === "sharded" ? /shard_channels="[^"]*socket\.io/ : /(channels|patterns)="[^"]*socket\.io/;
      assert.match(line, named, `the refused channels are named: ${line}`);
      assert.match(line, /hint="grant/, `the line says what to do: ${line}`);
      const h = await healthz(A);
      assert.equal(h.status, 200, h.text);
      assert.equal(h.json.redis, "disconnected", "a node that cannot hear the cluster does not claim the link");
      assert.ok((await metric(A, "switchboard_redis_subscribe_refusals_total")) >= 1, "the refusal is counted");

      // Its own clients are served meanwhile.
      const ada = await assertServesLocally(A, "acl");

      // Granted: the node subscribes again by itself and talks with another node.
      await redisCommand(redis.url, ["ACL", "SETUSER", "default", "allchannels"]);
      await waitRedisState(A, "connected", LINK_WAIT);
      await assertReachesNewNode(res, ada, "acl", { redisUrl: redis.url, args: ["--redis-mode", mode] });
    });
  });
}
