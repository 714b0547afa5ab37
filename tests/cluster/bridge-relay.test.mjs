// Bridge channels and relays (docs/design.md#cluster): `redis-cli PUBLISH` on a bridge channel reaches the
// clients of every node; a relayed client event reaches the example worker (examples/worker/),
// whose result reaches every member of the room on every node; with a stream and two workers in
// one consumer group, each job runs once.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  WAIT,
  ack,
  assertRefusal,
  closeAllClients,
  eventNamed,
  eventually,
  join,
  openUser,
  redisCommand,
  send,
  uniqueRoom,
  waitLinked,
  withTimeout,
} from "./cluster-harness.mjs";
import { runToExit } from "../chat/chat-harness.mjs";

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/worker/worker.mjs");
const API_KEY = "relay-test-key";
const MAX_PAYLOAD = 10000;

const res = new Resources();
let redis;
let A;
let B;

before(async () => {
  redis = await res.redis();
  const args = [
    "--api-key", API_KEY,
    "--max-payload", String(MAX_PAYLOAD),
    "--bridge", "chat_messages=message",
    "--bridge", "alerts=alert",
    "--relay", "summarize=jobs",
    "--relay", "digest=stream:digests",
  ];
  A = await res.node({ redisUrl: redis.url, nodeId: "nA", args });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB", args });
  await waitLinked(redis, [A, B]);
});

after(async () => {
  closeAllClients();
  await res.close();
});

// `redis-cli PUBLISH channel payload`, as an operator would; resolves with the receiver count.
function redisCli(...args) {
  const { hostname, port } = new URL(redis.url);
  return new Promise((resolve, reject) => {
    execFile("redis-cli", ["-h", hostname, "-p", port, ...args], { timeout: WAIT }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    );
  });
}

// Starts examples/worker/worker.mjs and waits (bounded) for its ready line; stopped in after().
async function startWorker(name, modeArgs, node) {
  const child = spawn(process.execPath, [WORKER, "--redis", redis.url, "--name", name, ...modeArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SWITCHBOARD_URL: node.url, SWITCHBOARD_API_KEY: API_KEY },
  });
  let output = "";
  const exited = new Promise((resolve) => child.on("exit", resolve));
  res.add(async () => {
    child.kill("SIGTERM");
    await withTimeout(exited, WAIT, `worker ${name} to exit`).catch(() => child.kill("SIGKILL"));
  });
  await withTimeout(
    new Promise((resolve, reject) => {
      child.stdout.on("data", (c) => {
        output += c;
        if (/ready on/.test(output)) resolve();
      });
      child.stderr.on("data", (c) => (output += c));
      exited.then((code) => reject(new Error(`worker ${name} exited (${code}):\n${output}`)));
    }),
    LINK_WAIT,
    `worker ${name} to be ready`,
  );
  return { name, output: () => output };
}

test("redis-cli PUBLISH on a bridge channel reaches every client on every node", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  // Both nodes subscribed: Redis counts two receivers.
  await eventually(
    () => {},
    async () => assert.equal(await redisCli("PUBSUB", "NUMSUB", "chat_messages"), "chat_messages\n2"),
    { what: "both nodes subscribed to chat_messages" },
  );
  assert.equal(await redisCli("PUBLISH", "chat_messages", '{"text":"hi"}'), "2");
  for (const c of [ada, bob]) {
    const ev = await c.log.take(eventNamed("message"), WAIT, "the bridged message");
    assert.deepEqual(ev.args, [{ text: "hi" }]);
  }
  // A payload that is not JSON arrives as the string itself, on the other bridge's event.
  await redisCli("PUBLISH", "alerts", "disk almost full");
  for (const c of [ada, bob]) {
    const ev = await c.log.take(eventNamed("alert"), WAIT, "the bridged alert");
    assert.deepEqual(ev.args, ["disk almost full"]);
  }
});

test("a bridge payload over --max-payload is dropped and the nodes go on", { timeout: TEST_TIMEOUT }, async () => {
  const cal = await openUser(A, "cal");
  await redisCommand(redis.url, ["PUBLISH", "alerts", JSON.stringify({ big: "x".repeat(MAX_PAYLOAD * 2) })]);
  await redisCli("PUBLISH", "alerts", "after the big one");
  const ev = await cal.log.take(eventNamed("alert"), WAIT, "the alert after the dropped one");
  assert.deepEqual(ev.args, ["after the big one"], "the oversized payload must not be delivered");
  const metrics = await fetch(`${A.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /^switchboard_bridged_messages_total [1-9]/m);
});

test("a relayed event without a listening worker is refused as unavailable", { timeout: TEST_TIMEOUT }, async () => {
  const dan = await openUser(A, "dan");
  const room = uniqueRoom("nobody");
  await join(dan, room);
  assertRefusal(await ack(dan, "summarize", { room }), "unavailable", "no worker on the channel");
});

test("relayed events are checked like chat events", { timeout: TEST_TIMEOUT }, async () => {
  const eve = await openUser(A, "eve");
  assertRefusal(await ack(eve, "summarize", "lobby"), "bad_request", "payload not an object");
  assertRefusal(await ack(eve, "summarize", { room: "" }), "bad_request", "empty room");
  assertRefusal(await ack(eve, "summarize", { room: uniqueRoom("x") }), "not_in_room", "not a member");
});

test("channel relay: the worker's summary reaches every member on every node", { timeout: TEST_TIMEOUT }, async () => {
  await startWorker("w-channel", ["--channel", "jobs"], A);
  const room = uniqueRoom("relay");
  const fay = await openUser(A, "fay");
  const gus = await openUser(B, "gus");
  await join(fay, room);
  await join(gus, room);
  await send(fay, room, "deploy the release tonight");
  await send(gus, room, "release notes are ready");
  await send(gus, room, "deploy after the release notes");

  const answer = await ack(gus, "summarize", { room, scope: "recent" });
  assert.equal(answer?.ok, true, JSON.stringify(answer));
  assert.equal(typeof answer.id, "string");
  for (const c of [fay, gus]) {
    const ev = await c.log.take(
      eventNamed("summary", (d) => d?.job === answer.id),
      LINK_WAIT,
      `the summary of job ${answer.id}`,
    );
    const s = ev.args[0];
    assert.equal(s.room, room);
    assert.equal(s.requested_by, "gus");
    assert.equal(s.worker, "w-channel");
    assert.equal(s.messages, 3);
    assert.deepEqual(s.users, [
      { user: "gus", count: 2 },
      { user: "fay", count: 1 },
    ]);
    assert.deepEqual(s.top_words.slice(0, 2), [
      { word: "release", count: 3 },
      { word: "deploy", count: 2 },
    ]);
  }
});

test("stream relay with two workers in one group: each job runs once", { timeout: TEST_TIMEOUT * 2 }, async () => {
  await startWorker("w1", ["--stream", "digests", "--group", "digesters"], A);
  await startWorker("w2", ["--stream", "digests", "--group", "digesters"], B);
  const room = uniqueRoom("stream");
  const hal = await openUser(A, "hal");
  const ivy = await openUser(B, "ivy");
  await join(hal, room);
  await join(ivy, room);
  await send(hal, room, "hello stream workers");

  const jobs = 20;
  const ids = [];
  for (let i = 0; i < jobs; i++) {
    const who = i % 2 ? ivy : hal;
    const answer = await ack(who, "digest", { room, n: i });
    assert.equal(answer?.ok, true, JSON.stringify(answer));
    ids.push(answer.id);
  }
  // Every member gets one summary per job; a job run twice would show up as a second summary.
  for (const c of [hal, ivy]) {
    for (const id of ids) {
      await c.log.take(eventNamed("summary", (d) => d?.job === id), LINK_WAIT, `the summary of job ${id}`);
    }
  }
  // The group acknowledged everything: nothing pending, nothing left to deliver.
  await eventually(
    () => {},
    async () => {
      const pending = await redisCommand(redis.url, ["XPENDING", "digests", "digesters"]);
      assert.equal(Number(pending[0]), 0, `pending jobs: ${JSON.stringify(pending)}`);
    },
    { what: "every job acknowledged" },
  );
  const len = Number(await redisCommand(redis.url, ["XLEN", "digests"]));
  assert.equal(len, jobs);
  // A marker job, then no second summary for any earlier job may have arrived.
  const marker = await ack(hal, "digest", { room, marker: true });
  await hal.log.take(eventNamed("summary", (d) => d?.job === marker.id), LINK_WAIT, "the marker summary");
  const dup = hal.log.events.filter((e) => e.event === "summary" && ids.includes(e.args[0]?.job));
  assert.deepEqual(dup, [], "a job's summary arrived twice");
});

test("--bridge and --relay are checked at start", { timeout: TEST_TIMEOUT }, async () => {
  const cases = [
    [["--bridge", "chat_messages=message"], /--bridge: needs --redis/],
    [["--relay", "summarize=jobs"], /--relay: needs --redis/],
    [["--redis", redis.url, "--bridge", "nochannel"], /CHANNEL=EVENT/],
    [["--redis", redis.url, "--relay", "summarize=stream:"], /stream name/],
    [["--redis", redis.url, "--relay", "join=jobs"], /chat application handles/],
    [["--redis", redis.url, "--relay", "x=a", "--relay", "x=b"], /given twice/],
  ];
  for (const [args, message] of cases) {
    const r = await runToExit(["--port", "0", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: exit code, output:\n${r.output}`);
    assert.match(r.output, message, args.join(" "));
  }
});
