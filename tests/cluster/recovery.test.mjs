// Connection state recovery across the cluster: two testbed nodes on one Redis with
// --recovery-window, in classic and in sharded mode. A client whose transport drops while 100
// broadcasts go to its room comes back to the same node or to the other one and gets its socket
// id, rooms and data and every missed broadcast exactly once, in the order a member who stayed
// connected saw them.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { RecoveringClients, ask, connected, dropTransport } from "../lib/recovering-client.mjs";
import { LINK_WAIT, Resources, TEST_TIMEOUT, WAIT, eventually, redisCommand, waitServerCount } from "./cluster-harness.mjs";

const DROP_MS = 2000; // how long the client stays away: its reconnection delay
const MISSED = 100;

const clients = new RecoveringClients(DROP_MS);
afterEach(() => clients.closeAll());

// PUBSUB SHARDNUMSUB / NUMSUB of one channel.
async function subscribers(url, command, channel) {
  return Number((await redisCommand(url, ["PUBSUB", command, channel]))[1]);
}

for (const mode of ["classic", "sharded"]) {
  describe(`${mode} mode`, () => {
    const res = new Resources();
    let T1, T2;

    before(async () => {
      const redis = await res.redis();
      const args = ["--recovery-window", "10000", "--threads", "2", "--redis-mode", mode];
      T1 = await res.testbed({ redisUrl: redis.url, args: ["--node-id", "t1", ...args] });
      T2 = await res.testbed({ redisUrl: redis.url, args: ["--node-id", "t2", ...args] });
      if (mode === "classic") return waitServerCount(redis.url, 2);
      // The recovery channel is a shard channel in the stream's slot: no classic Pub/Sub at all.
      await eventually(
        () => {},
        async () => {
          assert.equal(await subscribers(redis.url, "SHARDNUMSUB", "socket.io#/#"), 2);
          assert.equal(await subscribers(redis.url, "SHARDNUMSUB", "socket.io-recovery#{/}#"), 2);
        },
        { what: "both nodes on the main and the recovery shard channels", ms: LINK_WAIT, every: 100 },
      );
      assert.equal(await subscribers(redis.url, "NUMSUB", "socket.io-recovery#/#"), 0);
      assert.deepEqual(await redisCommand(redis.url, ["PUBSUB", "NUMPAT"]), 0);
    });
    after(() => res.close());

    // The next `count` "m" events as "<sender>:<n>", each checked to end with an offset.
    async function take(s, count) {
      const out = [];
      for (let i = 0; i < count; i++) {
        const ev = await s.log.take("m", WAIT * 2, `message ${i + 1} of ${count}`);
        assert.match(ev.args.at(-1), /^\d{13}-\d{6}$/, "a recoverable broadcast ends with its stream offset");
        out.push(ev.args[0]);
      }
      return out;
    }

    for (const backTo of ["the same node", "the other node"]) {
      test(`back to ${backTo}: same id, rooms and data, every missed broadcast once and in order`, { timeout: TEST_TIMEOUT }, async () => {
        const room = `r-${Math.random().toString(36).slice(2)}`;
        const sub = await connected(clients.open(T1, "sub"));
        const stayer = await connected(clients.open(T2, "stayer"));
        const pub1 = await connected(clients.open(T1, "pub1"));
        const pub2 = await connected(clients.open(T2, "pub2"));
        for (const s of [sub, stayer]) assert.equal(await ask(s, "join", room), true);
        assert.equal(await ask(sub, "set-data", "kept"), true);
        const id = sub.id;

        assert.equal(await ask(pub2, "to-room", { room, event: "m", args: ["p2:0"] }), true);
        assert.deepEqual(await take(sub, 1), ["p2:0"]); // the client now has an offset

        const { reconnected } = await dropTransport(sub);
        if (backTo === "the other node") sub.io.uri = T2.url; // the next connection goes there

        // Two senders on two nodes at once: the stream orders them, every node delivers in that order.
        const acks = [];
        for (let i = 1; i <= MISSED / 2; i++) {
          acks.push(ask(pub1, "to-room", { room, event: "m", args: [`p1:${i}`] }));
          acks.push(ask(pub2, "to-room", { room, event: "m", args: [`p2:${i}`] }));
        }
        await Promise.all(acks);
        assert.equal(sub.connected, false, "all were sent while the client was away");

        await reconnected;
        assert.equal(sub.recovered, true, "socket.recovered");
        assert.equal(sub.id, id, "the socket id is kept");
        const missed = await take(sub, MISSED);
        const seen = await take(stayer, MISSED + 1);
        assert.deepEqual(["p2:0", ...missed], seen, "the stayer's order");
        for (const sender of ["p1", "p2"]) {
          const mine = missed.filter((m) => m.startsWith(`${sender}:`));
          assert.deepEqual(
            mine,
            Array.from({ length: MISSED / 2 }, (_, i) => `${sender}:${i + 1}`),
            `every message of ${sender}, in its order`,
          );
        }

        // Rooms and data came back with it, on whichever node it is now; nothing came twice.
        assert.equal(await ask(pub1, "to-room", { room, event: "m", args: ["p1:last"] }), true);
        assert.deepEqual(await take(sub, 1), ["p1:last"]);
        assert.equal(sub.log.events.filter((e) => e.event === "m").length, 0, "no duplicates");
        const fetched = await ask(pub1, "fetch", { room });
        const ids = fetched.sockets.map((x) => x.id).sort();
        assert.deepEqual(ids, [id, stayer.id].sort());
        assert.deepEqual(fetched.sockets.find((x) => x.id === id).data, { value: "kept" });
      });
    }

    test("a session is recovered once: a second client with the same pid gets a new socket", { timeout: TEST_TIMEOUT }, async () => {
      const s = await connected(clients.open(T1, "once"));
      s.emit("echo", "x");
      await s.log.take("echo", WAIT, "the echo"); // an offset
      const { reconnected } = await dropTransport(s);
      await reconnected;
      assert.equal(s.recovered, true);
      const copy = clients.open(T2, "copy");
      copy.auth = { pid: s._pid, offset: s._lastOffset };
      await connected(copy);
      assert.equal(copy.recovered, false);
      assert.notEqual(copy.id, s.id);
    });
  });
}
