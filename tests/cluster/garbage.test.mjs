// Garbage on every adapter channel (not MessagePack or JSON, wrong shapes, invalid UTF-8, huge
// payloads), in classic and in sharded mode: dropped and counted
// (switchboard_cluster_bad_messages_total), never fatal; the nodes go on delivering.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createClient } from "redis";
import { metric } from "../chat/chat-harness.mjs";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventually,
  healthz,
  join,
  messageStartingWith,
  openUser,
  send,
  waitLinked,
  waitRedisState,
  withTimeout,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let A; // classic
let B; // classic
let S; // sharded, another prefix: its own cluster on the same Redis
let client;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB" });
  S = await res.node({ redisUrl: redis.url, nodeId: "nS", args: ["--redis-mode", "sharded", "--key-prefix", "sh"] });
  await waitLinked(redis, [A, B]);
  await waitRedisState(S, "connected");
  client = createClient({ url: redis.url });
  client.on("error", () => {});
  await withTimeout(client.connect(), WAIT, "a Redis client");
  res.add(() => client.quit());
});

after(async () => {
  closeAllClients();
  await res.close();
});

const bytes = (...b) => Buffer.from(b.flat());
const str = (s) => [...Buffer.from(s)];
// Hand-made MessagePack: ["x", {"data": 5}] and ["x", {"data": ["ev", <string 0xff>]}, {}].
const wrongShape = bytes(0x92, 0xa1, str("x"), 0x81, 0xa4, str("data"), 0x05);
const badUtf8 = bytes(0x93, 0xa1, str("x"), 0x81, 0xa4, str("data"), 0x92, 0xa2, str("ev"), 0xa1, 0xff, 0x80);
const huge = Buffer.alloc(4 * 1024 * 1024, 0xc1); // 0xc1 is never valid MessagePack

const classic = [
  ["socket.io#/#", Buffer.from("not msgpack at all")],
  ["socket.io#/#", bytes(0xa2, str("hi"))],
  ["socket.io#/#", bytes(0x91, 0x01)],
  ["socket.io#/#", wrongShape],
  ["socket.io#/#lobby#", badUtf8],
  ["socket.io#/#", huge],
  ["socket.io-request#/#", Buffer.from("{not json")],
  ["socket.io-request#/#", Buffer.from('{"type":"x"}')],
  ["socket.io-request#/#", Buffer.from('{"type":5,"requestId":{},"opts":"bad"}')],
  ["socket.io-request#/#", Buffer.from('{"type":2,"opts":{"rooms":"x"},"rooms":[{}]}')],
  ["socket.io-request#/#", Buffer.from('{"type":7,"requestId":"r","packet":"bad"}')],
  ["socket.io-request#/#", huge],
  ["socket.io-response#/#", Buffer.from("[1,2,3]")],
  ["socket.io-response#/#", bytes(0xc1)],
];

const sharded = [
  "garbage",
  '{"type":3,"data":"x"}',
  '{"uid":"z","nsp":"/","type":3,"data":{"packet":"bad","opts":7}}',
  '{"uid":"z","nsp":"/","type":7,"data":{"requestId":{}}}',
  '{"uid":"z","nsp":"/","type":9,"data":{"packet":[5]}}',
  '{"uid":"z","nsp":"/","type":4,"data":{"opts":{"rooms":[1,{}]},"rooms":"x"}}',
];

test("classic: garbage on the broadcast, request and response channels is dropped and counted", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  await join(ada, "lobby");
  await join(bob, "lobby");
  const before = await metric(B, "switchboard_cluster_bad_messages_total");
  for (const [channel, payload] of classic) await client.sendCommand(["PUBLISH", channel, payload]);
  // Both nodes are alive and deliver across.
  await eventually(
    (i) => send(ada, "lobby", `after garbage ${i}`),
    (ms) => bob.log.take(messageStartingWith("after garbage"), ms, "a message after the garbage"),
    { what: "delivery from A to B after the garbage" },
  );
  for (const n of [A, B]) assert.equal((await healthz(n)).status, 200);
  const counted = (await metric(B, "switchboard_cluster_bad_messages_total")) - before;
  assert.ok(counted >= 10, `only ${counted} bad messages counted on B`);
});

test("sharded: garbage on the main and room channels is dropped and counted", { timeout: TEST_TIMEOUT }, async () => {
  const cal = await openUser(S, "cal");
  const dee = await openUser(S, "dee");
  await join(cal, "den");
  await join(dee, "den");
  const before = await metric(S, "switchboard_cluster_bad_messages_total");
  for (const payload of sharded) {
    await client.sendCommand(["SPUBLISH", "sh#/#", payload]);
    await client.sendCommand(["SPUBLISH", "sh#/#den#", payload]);
  }
  await client.sendCommand(["SPUBLISH", "sh#/#", huge]);
  // Undecodable or shapeless ones are counted: "garbage" and {"type":3,"data":"x"} on both
  // channels, and the huge one (the others have a shape and are ignored). Counted on worker 0 as
  // they arrive, so waited for: a local message is no marker for Redis' stream.
  await eventually(
    () => {},
    async () => {
      const counted = (await metric(S, "switchboard_cluster_bad_messages_total")) - before;
      assert.ok(counted >= 5, `only ${counted} bad messages counted`);
    },
    { what: "the bad messages counted", ms: WAIT * 2 },
  );
  await send(cal, "den", "still fine");
  await dee.log.take(messageStartingWith("still fine"), WAIT, "a message after the garbage");
  assert.equal((await healthz(S)).status, 200);
});
