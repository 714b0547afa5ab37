// A node's link to Redis lost while the cluster goes on (connection state recovery on, as the chat
// server's default), in classic and in sharded mode: nothing acknowledged is lost for the clients
// that stayed connected.
//
// - Node B is cut off from Redis (its link runs through a TCP proxy this test closes) while a user
//   on node A sends: B's user, still connected to B, gets every one of those messages once B is
//   linked again, read from the namespace's recovery stream, exactly once and in order, before
//   what comes after.
// - Redis itself goes away: a broadcast made on A meanwhile (an API publish) reaches A's clients at
//   once and B's once Redis is back, exactly once on both nodes.

import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import {
  LINK_WAIT,
  Resources,
  WAIT,
  api,
  closeAllClients,
  eventNamed,
  freePort,
  join,
  messageWith,
  openUser,
  send,
  waitLinked,
  waitRedisState,
} from "./cluster-harness.mjs";

// A TCP proxy to Redis that can be cut (every connection closed, no new ones) and opened again.
class CuttableProxy {
  constructor(target) {
    this.target = target;
    this.sockets = new Set();
    this.server = null;
  }
  async open(port) {
    this.port = port ?? this.port ?? (await freePort());
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
  }
  async cut() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

for (const mode of ["classic", "sharded"]) {
  describe(`${mode} mode`, () => {
    let redis;
    let proxy;
    let A;
    let B;

    const res = new Resources();

    before(async () => {
      redis = await res.redis();
      proxy = new CuttableProxy(redis.port);
      await proxy.open();
      res.add(() => proxy.cut());
      const args = ["--redis-mode", mode];
      A = await res.node({ redisUrl: redis.url, nodeId: "pA", args });
      B = await res.node({ redisUrl: `redis://127.0.0.1:${proxy.port}`, nodeId: "pB", args });
      await waitLinked(redis, [A, B], 2, { sharded: mode === "sharded" });
    });

    after(async () => {
      closeAllClients();
      await res.close();
    });

    test("a node cut off from Redis delivers what was sent meanwhile once it is linked again", { timeout: 30000 }, async () => {
      const ada = await openUser(A, "ada");
      const bob = await openUser(B, "bob");
      await join(ada, "partition");
      await join(bob, "partition");
      await send(ada, "partition", "before");
      await bob.log.take(messageWith("before"), WAIT, "the first message at bob");

      await proxy.cut();
      await waitRedisState(B, "disconnected", LINK_WAIT);
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await send(ada, "partition", `during ${i}`)); // acknowledged: stored

      await proxy.open();
      await waitRedisState(B, "connected", LINK_WAIT + 5000);
      await send(ada, "partition", "after");
      const got = await bob.log.until(messageWith("after"), WAIT, "the message sent after B was linked again");
      assert.equal(bob.connected, true, "bob stayed connected to B");
      assert.deepEqual(
        got.filter((e) => e.event === "message").map((e) => e.args[0].text),
        ["during 0", "during 1", "during 2", "during 3", "during 4", "after"],
        `every acknowledged message (ids ${during.join(", ")}) at bob, once, in order`,
      );
      // A node hears its own broadcast on the recovery channel; the acknowledgement may come first.
      const mine = await ada.log.until(messageWith("after"), WAIT, "the message sent after B was linked again, at ada");
      assert.deepEqual(
        mine.filter((e) => e.event === "message").map((e) => e.args[0].text),
        ["before", "during 0", "during 1", "during 2", "during 3", "during 4", "after"],
        "ada: each once, in order",
      );
    });

    test("a broadcast made while Redis is away reaches the other nodes once it is back", { timeout: 40000 }, async () => {
      const amy = await openUser(A, "amy");
      const ben = await openUser(B, "ben");
      await join(amy, "outage");
      await join(ben, "outage");

      await redis.stop();
      await waitRedisState(A, "disconnected", LINK_WAIT);
      const pub = await api(A, "/api/publish", { method: "POST", json: { room: "outage", event: "notice", data: "away" } });
      assert.equal(pub.status, 200, pub.text);
      assert.deepEqual((await amy.log.take("notice", WAIT, "the broadcast at amy, at once")).args, ["away"]);

      await redis.start();
      await waitRedisState(A, "connected", 20000);
      await waitRedisState(B, "connected", 20000);
      assert.deepEqual((await ben.log.take("notice", LINK_WAIT, "the broadcast at ben, once Redis is back")).args, ["away"]);
      // A marker after it: by then a second copy would have arrived too.
      await send(amy, "outage", "marker");
      await ben.log.take(messageWith("marker"), WAIT, "the marker at ben");
      await amy.log.take(messageWith("marker"), WAIT, "the marker at amy");
      for (const c of [amy, ben]) {
        assert.equal(
          c.log.events.filter(eventNamed("notice")).length,
          0,
          `${c.log.name}: no second copy of the broadcast (the first was taken from the log)`,
        );
      }
    });
  });
}
