// A broadcast with acknowledgements started on a Switchboard node reaches the room on every
// server of the cluster — another Switchboard (testbed) node and a Node.js socket.io peer — and
// collects every client's answer (library API `to(room).emit_with_ack`, wire: BROADCAST request,
// BROADCAST_CLIENT_COUNT and BROADCAST_ACK responses, server count by PUBSUB NUMSUB).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectUser, waitConnected } from "../chat/chat-harness.mjs";
import { Resources, TEST_TIMEOUT, WAIT, closeAllClients, waitServerCount, withTimeout } from "./cluster-harness.mjs";


const res = new Resources();
let T1, T2, N;

// A client of `server` in `room` answering each "question" with `{who, q}`.
async function answerer(server, room, who) {
  const s = connectUser(server, who, {}, who);
  await waitConnected(s);
  const joined = await withTimeout(s.emitWithAck("join", room), WAIT, `${who} joins`);
  assert.ok(joined === true || joined?.ok === true, `${who} joined: ${JSON.stringify(joined)}`);
  s.on("question", (q, cb) => cb({ who, q }));
  return s;
}

before(async () => {
  const redis = await res.redis();
  T1 = await res.testbed({ redisUrl: redis.url });
  T2 = await res.testbed({ redisUrl: redis.url });
  N = await res.peer({ redisUrl: redis.url, requestsTimeout: WAIT });
  await waitServerCount(redis.url, 3);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("answers come from the asking node, another Switchboard node and a Node.js server", { timeout: TEST_TIMEOUT }, async () => {
  await answerer(T1, "panel", "t1-client");
  await answerer(T2, "panel", "t2-client");
  await answerer(N, "panel", "node-client");
  const asker = connectUser(T1, "asker", {}, "asker");
  await waitConnected(asker);
  asker.emit("ask-room", { room: "panel", payload: "ready?", timeout: 2500 });
  const [result] = (await asker.log.take("answers", WAIT + 1000, "the answers")).args;
  assert.equal(result.timed_out, false, JSON.stringify(result));
  assert.deepEqual(
    result.responses.map((r) => r.who).sort(),
    ["node-client", "t1-client", "t2-client"],
    JSON.stringify(result),
  );
  for (const r of result.responses) assert.equal(r.q, "ready?");
});
