// A node killed with SIGKILL (no goodbye to Redis): its members disappear from the cluster's
// presence within a bounded time (heartbeat with expiry: a node unseen for 15 s is not counted),
// and the surviving node goes on serving its clients. Prints how long it took.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  WAIT,
  api,
  closeAllClients,
  join,
  messageWith,
  openUser,
  pause,
  send,
  startSwitchboard,
  waitLinked,
  withTimeout,
} from "./cluster-harness.mjs";

// Live window 15 s + one heartbeat period 5 s, with margin.
const GONE_WITHIN = 25000;

const res = new Resources();
let redis;
let A;
let B;

before(async () => {
  redis = await res.redis();
  A = await res.node({ redisUrl: redis.url, nodeId: "nA" });
  B = await startSwitchboard({ redisUrl: redis.url, nodeId: "nB" });
  res.add(() => B.stop().catch(() => {})); // it is killed on purpose: its early exit is expected
  await waitLinked(redis, [A, B]);
});

after(async () => {
  closeAllClients();
  await res.close();
});

async function members(node, room) {
  const r = await api(node, `/api/rooms/${encodeURIComponent(room)}/members`);
  return r.status === 200 ? r.json.members : [];
}

test("the members of a node killed with SIGKILL vanish from the cluster within the bound", { timeout: GONE_WITHIN + 15000 }, async () => {
  const room = "doomed-node";
  const amy = await openUser(A, "amy");
  const bo = await openUser(B, "bo");
  await join(amy, room);
  await join(bo, room);
  assert.deepEqual(await members(A, room), ["amy", "bo"]);

  const killed = Date.now();
  B.signal("SIGKILL");
  await withTimeout(new Promise((resolve) => bo.once("disconnect", resolve)), WAIT, "bo's disconnect");
  let list;
  for (;;) {
    list = await members(A, room);
    if (!list.includes("bo")) break;
    assert.ok(Date.now() - killed < GONE_WITHIN, `bo still listed ${GONE_WITHIN} ms after the kill: ${list}`);
    await pause(250); // polling the API: the disappearance is not an event anyone is told of
  }
  const took = Date.now() - killed;
  console.log(`# dead node's members gone after ${took} ms`);
  assert.deepEqual(list, ["amy"]);
  const rooms = await api(A, "/api/rooms");
  assert.deepEqual(
    rooms.json.rooms.filter((r) => r.room === room),
    [{ room, members: 1 }],
  );
  // The survivor still serves its clients.
  await send(amy, room, "still here");
  await amy.log.take(messageWith("still here"), WAIT, "amy's own message");
});
