// A node's link to Redis lost while the cluster goes on (connection state recovery on, as the chat
// server's default), in classic and in sharded mode: nothing acknowledged is lost for the clients
// that stayed connected.
//
// - Node B is cut off from Redis (its link runs through a TCP proxy this test closes) while a user
//   on node A sends: B's user, still connected to B, gets every one of those messages once B is
//   linked again, read from the namespace's recovery stream, exactly once and in order, before
//   what comes after.
// - The same while B's read of what it missed is held in flight: what B hears live meanwhile
//   comes after what it read, once.
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
  withTimeout,
} from "./cluster-harness.mjs";

// A TCP proxy to Redis that can be cut (every connection closed, no new ones) and opened again,
// and can hold a connection's commands from the first one that matches (holdNext) until release().
class CuttableProxy {
  constructor(target) {
    this.target = target;
    this.sockets = new Set();
    this.server = null;
    this.hold = null; // {marker, resolve}: the next command matching `marker` is held
    this.held = []; // [{upstream, chunks}]: connections whose commands wait for release()
    this.replies = new Map(); // client socket → what Redis sent it, as latin1 text
    this.onReply = () => {};
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
          this.replies.delete(client);
          client.destroy();
          upstream.destroy();
        });
      }
      let held = null;
      client.on("data", (chunk) => {
        if (held?.chunks) return held.chunks.push(chunk);
        if (this.hold && chunk.includes(this.hold.marker)) {
          held = { upstream, chunks: [chunk] };
          this.held.push(held);
          const { resolve } = this.hold;
          this.hold = null;
          return resolve();
        }
        upstream.write(chunk);
      });
      upstream.on("data", (chunk) => {
        this.replies.set(client, (this.replies.get(client) ?? "") + chunk.toString("latin1"));
        client.write(chunk);
        this.onReply();
      });
    });
    await new Promise((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
  }
  async cut() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.held = [];
    await closed;
  }
  // Resolves once a command containing `marker` was held (with everything its connection sends
  // after it).
  holdNext(marker) {
    return new Promise((resolve) => {
      this.hold = { marker: Buffer.from(marker), resolve };
    });
  }
  release() {
    for (const h of this.held) {
      for (const chunk of h.chunks) h.upstream.write(chunk);
      h.chunks = null; // what comes next goes straight through
    }
    this.held = [];
  }
  // Resolves once Redis sent `text` to one of the proxied connections (bounded by `ms`).
  forwarded(text, ms) {
    const seen = () => [...this.replies.values()].some((r) => r.includes(text));
    return withTimeout(
      new Promise((resolve) => {
        if (seen()) return resolve();
        this.onReply = () => {
          if (seen()) resolve();
        };
      }),
      ms,
      `"${text}" forwarded by the proxy`,
    );
  }
}

// The texts of the chat messages among `events`, in order.
function messageTexts(events) {
  return events.filter((e) => e.event === "message").map((e) => e.args[0].text);
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

    // A user on A and one on B in `room`, both past a `first` message; then B is cut off from
    // Redis. Returns [the user on A, the user on B].
    async function usersThenCutB(names, room, first) {
      const onA = await openUser(A, names[0]);
      const onB = await openUser(B, names[1]);
      await join(onA, room);
      await join(onB, room);
      await send(onA, room, first);
      await onB.log.take(messageWith(first), WAIT, `the first message at ${names[1]}`);
      await proxy.cut();
      await waitRedisState(B, "disconnected", LINK_WAIT);
      return [onA, onB];
    }

    test("a node cut off from Redis delivers what was sent meanwhile once it is linked again", { timeout: 30000 }, async () => {
      const [ada, bob] = await usersThenCutB(["ada", "bob"], "partition", "before");
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await send(ada, "partition", `during ${i}`)); // acknowledged: stored

      await proxy.open();
      await waitRedisState(B, "connected", LINK_WAIT + 5000);
      await send(ada, "partition", "after");
      const got = await bob.log.until(messageWith("after"), WAIT, "the message sent after B was linked again");
      assert.equal(bob.connected, true, "bob stayed connected to B");
      assert.deepEqual(
        messageTexts(got),
        ["during 0", "during 1", "during 2", "during 3", "during 4", "after"],
        `every acknowledged message (ids ${during.join(", ")}) at bob, once, in order`,
      );
      // A node hears its own broadcast on the recovery channel; the acknowledgement may come first.
      const mine = await ada.log.until(messageWith("after"), WAIT, "the message sent after B was linked again, at ada");
      assert.deepEqual(
        messageTexts(mine),
        ["before", "during 0", "during 1", "during 2", "during 3", "during 4", "after"],
        "ada: each once, in order",
      );
    });

    // The race a catch-up must win: broadcasts B hears live while its read of the stream is in
    // flight. The proxy holds that read (XRANGE) until they have reached B, so the window is
    // open every time rather than for microseconds: B must deliver what it missed first, then
    // the live ones, each once (the read returns them too).
    test("broadcasts heard while the catch-up read is in flight come after it, once", { timeout: 30000 }, async () => {
      const [ava, bea] = await usersThenCutB(["ava", "bea"], "race", "first");
      for (let i = 0; i < 3; i++) await send(ava, "race", `missed ${i}`);

      const readHeld = proxy.holdNext("$6\r\nXRANGE\r\n");
      await proxy.open();
      await withTimeout(readHeld, LINK_WAIT + 5000, "B's catch-up read of the stream");
      for (let i = 0; i < 3; i++) await send(ava, "race", `live ${i}`);
      await proxy.forwarded("live 2", WAIT); // B's subscription has heard every live one
      // A volatile event is not logged for recovery: B delivers it at once, after the live
      // messages that came before it on the same subscription. Once bea has it, B has dealt with them.
      ava.emit("typing", { room: "race" });
      await bea.log.take(eventNamed("typing"), WAIT, "ava's typing at bea, past the held read");
      assert.deepEqual(
        messageTexts(bea.log.events),
        [],
        "B holds what it hears live until it has read what it missed",
      );

      proxy.release();
      await send(ava, "race", "last");
      const got = await bea.log.until(messageWith("last"), WAIT + LINK_WAIT, "the last message at bea");
      assert.deepEqual(
        messageTexts(got),
        ["missed 0", "missed 1", "missed 2", "live 0", "live 1", "live 2", "last"],
        "bea: what B missed, then what it heard live, each once, in order",
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
