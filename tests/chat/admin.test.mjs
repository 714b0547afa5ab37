// The dashboard namespace /admin: auth {key} checked against --api-key (without a key: loopback
// clients only, not through a proxy); `stats` right after connecting and every second, with the
// documented shape.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  connectError,
  connectUser,
  join,
  openUser,
  send,
  startChat,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

function assertStatsShape(s, node) {
  assert.equal(typeof s, "object", JSON.stringify(s));
  assert.equal(s.node, node);
  assert.equal(typeof s.uptime_s, "number");
  assert.ok(s.uptime_s >= 0);
  assert.equal(typeof s.connections?.websocket, "number", `connections.websocket in ${JSON.stringify(s)}`);
  assert.equal(typeof s.connections?.polling, "number", `connections.polling in ${JSON.stringify(s)}`);
  assert.ok(Array.isArray(s.rooms), `rooms is an array: ${JSON.stringify(s.rooms)}`);
  assert.ok(s.rooms.length <= 100);
  for (const r of s.rooms) {
    assert.equal(typeof r.room, "string", JSON.stringify(r));
    assert.equal(typeof r.members, "number", JSON.stringify(r));
  }
  for (const k of ["messages", "deliveries", "dropped", "slow_consumer_disconnects"]) {
    assert.equal(typeof s.totals?.[k], "number", `totals.${k} in ${JSON.stringify(s)}`);
  }
  for (const k of ["messages_per_s", "deliveries_per_s"]) {
    assert.equal(typeof s.rates?.[k], "number", `rates.${k} in ${JSON.stringify(s)}`);
  }
  assert.equal(typeof s.redis?.state, "string", `redis.state in ${JSON.stringify(s)}`);
}

// Waits (bounded; stats come every second) for a stats event satisfying pred; returns it.
async function statsWhere(admin, pred, ms, what) {
  const ev = await admin.log.take((e) => e.event === "stats" && pred(e.args[0]), ms, what);
  return ev.args[0];
}

describe("/admin with --api-key k", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--api-key", "k", "--node-id", "admin-node"]);
  afterEach(() => closeAllClients());

  for (const [label, auth] of [
    ["a wrong key", { key: "wrong" }],
    ["no key", {}],
  ]) {
    test(`${label} → connect_error "unauthorized"`, async () => {
      const s = connectUser(server, auth, { nsp: "/admin" }, `admin ${label}`);
      const err = await connectError(s);
      assert.equal(err.message, "unauthorized");
      assert.equal(s.connected, false);
    });
  }

  test("the right key: stats right after connecting, with the documented shape", async () => {
    const admin = connectUser(server, { key: "k" }, { nsp: "/admin" }, "admin");
    // "once right after connecting": within 1 s, not only at the next tick of the 1 s timer
    const first = await statsWhere(admin, () => true, 1000, "the first stats (sent once right after connecting)");
    assert.equal(admin.connected, true);
    assertStatsShape(first, "admin-node");
  });

  test("stats follow the chat: connections, rooms, totals.messages after a message", async () => {
    const room = uniqueRoom("stats");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob", { transports: ["polling"] }, "bob-polling");
    await join(ada, room);
    await join(bob, room);
    const admin = connectUser(server, { key: "k" }, { nsp: "/admin" }, "admin");
    const s0 = await statsWhere(
      admin,
      (s) => s.rooms?.some((r) => r.room === room && r.members === 2),
      WAIT,
      `stats listing ${room} with 2 members`,
    );
    assertStatsShape(s0, "admin-node");
    assert.ok(s0.connections.websocket >= 1, `a websocket client is connected: ${JSON.stringify(s0.connections)}`);
    assert.ok(s0.connections.polling >= 1, `a polling client is connected: ${JSON.stringify(s0.connections)}`);
    const before = s0.totals.messages;
    await send(ada, room, "count me");
    const s1 = await statsWhere(
      admin,
      (s) => s.totals?.messages >= before + 1,
      WAIT,
      `stats with totals.messages > ${before}`,
    );
    assertStatsShape(s1, "admin-node");
    assert.ok(s1.totals.deliveries >= s0.totals.deliveries, "deliveries never decrease");
    assert.ok(s1.totals.deliveries > 0, "the message was delivered to 2 clients");
  });

  test("stats go to /admin only, not to the chat clients of /", async () => {
    const ada = await openUser(server, "ada");
    const admin = connectUser(server, { key: "k" }, { nsp: "/admin" }, "admin");
    await statsWhere(admin, () => true, WAIT, "stats");
    const room = uniqueRoom("no-stats");
    await join(ada, room);
    const id = await send(ada, room, "marker");
    const events = await ada.log.until((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "marker");
    assert.deepEqual(
      events.filter((e) => e.event === "stats"),
      [],
      "no stats on /",
    );
  });
});

describe("/admin without --api-key", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--node-id", "open-node"]);

  afterEach(() => closeAllClients());

  test("a loopback client: any key (or none) is accepted and gets stats", async () => {
    for (const auth of [{ key: "anything" }, {}]) {
      const admin = connectUser(server, auth, { nsp: "/admin" }, `admin ${JSON.stringify(auth)}`);
      const s = await statsWhere(admin, () => true, WAIT, "stats");
      assertStatsShape(s, "open-node");
    }
  });

  for (const [label, headers] of [
    ["Forwarded", { forwarded: "for=203.0.113.7" }],
    ["X-Forwarded-For", { "x-forwarded-for": "203.0.113.7" }],
  ]) {
    for (const transport of ["websocket", "polling"]) {
      test(`a request through a proxy (${label}) over ${transport} → connect_error "unauthorized"`, async () => {
        const s = connectUser(
          server,
          { key: "anything" },
          { nsp: "/admin", transports: [transport], extraHeaders: headers },
          `admin via proxy ${label} ${transport}`,
        );
        const err = await connectError(s);
        assert.equal(err.message, "unauthorized");
        assert.equal(s.connected, false);
        assert.deepEqual(s.log.events.filter((e) => e.event === "stats"), [], "no stats for a refused feed");
      });
    }
  }
});

describe("/admin with --api-key k: keys of the wrong type", { timeout: TEST_TIMEOUT }, () => {
  // one server per case: a crash must not hide the results of the other cases
  let server;
  afterEach(async () => {
    closeAllClients();
    await server?.stop();
    server = undefined;
  });

  for (const [label, auth] of [
    ["the key as a number", { key: 1 }],
    ["the key as an object", { key: { k: "k" } }],
    ["the key as null", { key: null }],
  ]) {
    test(`${label} → connect_error "unauthorized", and the server keeps running`, async () => {
      server = await startChat(["--api-key", "k"]);
      const s = connectUser(server, auth, { nsp: "/admin" }, `admin ${label}`);
      const err = await connectError(s).catch((e) => {
        if (!server.alive()) assert.fail(`the server died:\n${server.output()}`);
        throw e;
      });
      assert.equal(err.message, "unauthorized");
      assert.equal(server.alive(), true, `the server died:\n${server.output()}`);
      const ok = await openUser(server, { key: "k" }, { nsp: "/admin" }, "admin after");
      assert.equal(ok.connected, true);
    });
  }
});
