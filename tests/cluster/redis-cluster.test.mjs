// Against a three-master Redis Cluster (redis-server --cluster-enabled yes, redis-cli --cluster
// create) in sharded mode: each room's channel lives on the master that owns its slot, nodes
// connected through different masters deliver to each other in every room, and history and
// presence (keys on several shards) agree on every node.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  eventually,
  join,
  messageWith,
  openUser,
  redisCommand,
  send,
  startRedis,
  waitRedisState,
} from "./cluster-harness.mjs";

const res = new Resources();
let masters;
let A;
let B;
let C;

function redisCli(...args) {
  return new Promise((resolve, reject) => {
    execFile("redis-cli", args, { timeout: 20000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`redis-cli ${args.join(" ")}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}

before(async () => {
  masters = [];
  for (let i = 0; i < 3; i++) {
    const r = await startRedis({ cluster: true });
    res.add(async () => {
      await r.stop();
      rmSync(r.dir, { recursive: true, force: true });
    });
    masters.push(r);
  }
  await redisCli("--cluster", "create", ...masters.map((m) => `127.0.0.1:${m.port}`), "--cluster-replicas", "0", "--cluster-yes");
  for (const m of masters) {
    await eventually(
      () => {},
      async () => assert.match(await redisCommand(m.url, ["CLUSTER", "INFO"]), /cluster_state:ok/),
      { what: `cluster_state:ok on ${m.port}`, ms: 20000 },
    );
  }
  const args = ["--redis-mode", "sharded"];
  // Each node is given a different master: the others are learned from CLUSTER SLOTS.
  A = await res.node({ redisUrl: masters[0].url, nodeId: "nA", args });
  B = await res.node({ redisUrl: masters[1].url, nodeId: "nB", args });
  C = await res.node({ redisUrl: masters[2].url, nodeId: "nC", args });
  for (const n of [A, B, C]) await waitRedisState(n, "connected", LINK_WAIT);
});

after(async () => {
  closeAllClients();
  await res.close();
});

const ROOMS = Array.from({ length: 8 }, (_, i) => `shard-room-${i}`);

test("rooms' channels are spread over the masters, each on the owner of its slot", { timeout: TEST_TIMEOUT }, async () => {
  const ann = await openUser(A, "ann");
  for (const room of ROOMS) await join(ann, room);
  const owners = new Set();
  for (const room of ROOMS) {
    const channel = `socket.io#/#${room}#`;
    const slot = await redisCommand(masters[0].url, ["CLUSTER", "KEYSLOT", channel]);
    let found = null;
    await eventually(
      () => {},
      async () => {
        for (const m of masters) {
          const channels = await redisCommand(m.url, ["PUBSUB", "SHARDCHANNELS", channel]);
          if (channels.includes(channel)) found = m;
        }
        assert.ok(found, `${channel} (slot ${slot}) subscribed on no master`);
      },
      { what: `the subscription of ${channel}`, ms: WAIT },
    );
    const nodes = await redisCommand(found.url, ["CLUSTER", "NODES"]);
    const me = nodes.split("\n").find((l) => l.includes("myself"));
    const ranges = me.split(" ").slice(8).map((r) => r.split("-").map(Number));
    assert.ok(
      ranges.some(([lo, hi]) => slot >= lo && slot <= (hi ?? lo)),
      `${channel} (slot ${slot}) is subscribed on ${found.port}, which does not own the slot: ${me}`,
    );
    owners.add(found.port);
  }
  assert.ok(owners.size >= 2, `all ${ROOMS.length} rooms on one master`);
});

test("chat messages cross between nodes linked to different masters, in every room", { timeout: TEST_TIMEOUT * 2 }, async () => {
  const bea = await openUser(B, "bea");
  const cid = await openUser(C, "cid");
  for (const room of ROOMS) {
    await join(bea, room);
    await join(cid, room);
  }
  for (const room of ROOMS) {
    await eventually(
      (i) => send(bea, room, `probe ${room} ${i}`),
      (ms) => cid.log.take((e) => e.event === "message" && e.args[0]?.room === room, ms, `a probe in ${room}`),
      { what: `a first message in ${room} from B to C` },
    );
    await send(cid, room, `from C in ${room}`);
    await bea.log.take(messageWith(`from C in ${room}`), WAIT, `C's message in ${room} at B`);
  }
  // History (a counter and a sorted set per room, on the room's shard) is the same from every node.
  for (const room of ROOMS) {
    const seen = [];
    for (const n of [A, B, C]) {
      const h = await api(n, `/api/rooms/${room}/history?limit=1`);
      assert.equal(h.status, 200, h.text);
      seen.push(h.json.messages[0]?.text);
    }
    assert.deepEqual(seen, Array(3).fill(`from C in ${room}`), `newest message of ${room} on A, B, C`);
  }
  // Presence (one hash tag, one shard) is cluster-wide.
  const members = await api(A, `/api/rooms/${ROOMS[0]}/members`);
  assert.deepEqual(members.json.members, ["ann", "bea", "cid"]);
});
