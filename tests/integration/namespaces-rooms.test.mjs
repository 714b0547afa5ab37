// Namespaces (middleware, unknown namespace), rooms and volatile broadcasts.
//
// To assert that an event did NOT reach a client, the test makes a second
// broadcast ("marker") that must reach it, emitted by the same sender after the
// first one, and checks that nothing of the first kind arrived before the marker.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  assertEchoes,
  closeAllClients,
  connectClient,
  once,
  openClient,
  startServer,
  withTimeout,
} from "./harness.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  closeAllClients();
  await server?.stop();
});

for (const transport of ["websocket", "polling"]) {
  describe(`namespaces over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    afterEach(() => closeAllClients());
    test('"/admin" with auth {token: "secret"} connects and gets its welcome', async () => {
      const s = await openClient(server, "/admin", { transports: [transport], auth: { token: "secret" } });
      assert.ok(s.connected);
      assert.equal(s.nsp, "/admin");
    });

    test('"/admin" with a wrong token: connect_error "unauthorized" with data {reason}', async () => {
      const s = connectClient(server, "/admin", { transports: [transport], auth: { token: "wrong" } });
      const [err] = await once(s, "connect_error", WAIT, "connect_error");
      assert.equal(err.message, "unauthorized");
      assert.deepEqual(err.data, { reason: "bad token" });
      assert.equal(s.connected, false);
    });

    test('"/admin" without auth: connect_error "unauthorized"', async () => {
      const s = connectClient(server, "/admin", { transports: [transport] });
      const [err] = await once(s, "connect_error", WAIT, "connect_error");
      assert.equal(err.message, "unauthorized");
      assert.deepEqual(err.data, { reason: "bad token" });
    });

    test('unknown namespace "/nope": connect_error "Invalid namespace"', async () => {
      const s = connectClient(server, "/nope", { transports: [transport] });
      const [err] = await once(s, "connect_error", WAIT, "connect_error");
      assert.equal(err.message, "Invalid namespace");
      assert.equal(s.connected, false);
    });

    test("a refused namespace does not break another namespace on the same connection", async () => {
      // one Manager (one Engine.IO connection): "/", a refused "/admin" and "/nope"
      // multiplexed. Manager.socket() connects by itself (autoConnect): calling
      // connect() again would send a second CONNECT, which the server (like the
      // reference one) answers by closing the connection.
      const main = await openClient(server, "/", { transports: [transport] });
      const manager = main.io;
      const admin = manager.socket("/admin", { auth: { token: "nope" } });
      const nope = manager.socket("/nope");
      const adminErr = once(admin, "connect_error", WAIT, "connect_error on /admin");
      const nopeErr = once(nope, "connect_error", WAIT, "connect_error on /nope");
      assert.equal((await adminErr)[0].message, "unauthorized");
      assert.equal((await nopeErr)[0].message, "Invalid namespace");
      await assertEchoes(main);
      // retry /admin on the same connection with the right token (Manager.socket()
      // caches sockets by namespace, so reuse the refused one)
      admin.auth = { token: "secret" };
      const welcome = new Promise((resolve) => admin.once("welcome", resolve));
      admin.connect();
      const w = await withTimeout(welcome, WAIT, "welcome on /admin");
      assert.equal(w.id, admin.id);
      assert.equal(admin.io, manager);
      admin.disconnect();
      await assertEchoes(main);
    });
  });
}

describe("rooms", { timeout: TEST_TIMEOUT }, () => {
  let a, b, c;
  let seq = 0;

  // a (the sender) emits to-room and waits for the server's ack
  async function toRoom(from, body) {
    const ok = await withTimeout(from.emitWithAck("to-room", body), WAIT, "the to-room ack");
    assert.equal(ok, true);
  }
  // a broadcast that reaches all three (all joined "everyone"); returns its id
  async function marker(from) {
    const id = `marker-${++seq}`;
    await toRoom(from, { room: "everyone", event: "marker", args: [id] });
    return id;
  }
  // events that client `s` received up to (and including) the marker `id`
  function upToMarker(s, id) {
    return s.log.until((ev) => ev.event === "marker" && ev.args[0] === id, WAIT, `marker ${id}`);
  }
  const names = (events) => events.map((e) => e.event);

  before(async () => {
    [a, b, c] = await Promise.all(
      ["a", "b", "c"].map((n) => openClient(server, "/", { transports: ["websocket"] }, n)),
    );
    for (const s of [a, b, c]) {
      assert.equal(await withTimeout(s.emitWithAck("join", "everyone"), WAIT, "join everyone"), true);
    }
    for (const s of [a, b]) {
      assert.equal(await withTimeout(s.emitWithAck("join", "r"), WAIT, "join r"), true);
    }
  });
  after(() => closeAllClients());

  test('"to-room" reaches both members and not the third client', async () => {
    await toRoom(a, { room: "r", event: "hello", args: [1, { two: 2 }] });
    const m = await marker(a);
    const [ea, eb, ec] = await Promise.all([upToMarker(a, m), upToMarker(b, m), upToMarker(c, m)]);
    assert.deepEqual(names(ea), ["hello", "marker"]);
    assert.deepEqual(ea[0].args, [1, { two: 2 }]);
    assert.deepEqual(names(eb), ["hello", "marker"]);
    assert.deepEqual(eb[0].args, [1, { two: 2 }]);
    assert.deepEqual(names(ec), ["marker"], "the non-member must not receive the room event");
  });

  test('"to-room" sent by a non-member reaches the members only', async () => {
    await toRoom(c, { room: "r", event: "from-c", args: ["x"] });
    const m = await marker(c);
    const [ea, eb, ec] = await Promise.all([upToMarker(a, m), upToMarker(b, m), upToMarker(c, m)]);
    assert.deepEqual(names(ea), ["from-c", "marker"]);
    assert.deepEqual(names(eb), ["from-c", "marker"]);
    assert.deepEqual(names(ec), ["marker"]);
  });

  test("with except_me only the other member gets it", async () => {
    await toRoom(a, { room: "r", event: "hello-others", args: ["y"], except_me: true });
    const m = await marker(a);
    const [ea, eb, ec] = await Promise.all([upToMarker(a, m), upToMarker(b, m), upToMarker(c, m)]);
    assert.deepEqual(names(ea), ["marker"], "the sender must not receive its except_me broadcast");
    assert.deepEqual(names(eb), ["hello-others", "marker"]);
    assert.deepEqual(eb[0].args, ["y"]);
    assert.deepEqual(names(ec), ["marker"]);
  });

  test('after "leave" the leaver no longer gets the room events', async () => {
    assert.equal(await withTimeout(b.emitWithAck("leave", "r"), WAIT, "leave r"), true);
    await toRoom(a, { room: "r", event: "after-leave", args: [] });
    const m = await marker(a);
    const [ea, eb, ec] = await Promise.all([upToMarker(a, m), upToMarker(b, m), upToMarker(c, m)]);
    assert.deepEqual(names(ea), ["after-leave", "marker"]);
    assert.deepEqual(names(eb), ["marker"], "the client that left must not receive the room event");
    assert.deepEqual(names(ec), ["marker"]);
  });

  test("binary broadcast to a room", async () => {
    assert.equal(await withTimeout(c.emitWithAck("join", "bin"), WAIT, "join bin"), true);
    await toRoom(a, { room: "bin", event: "blob", args: [Buffer.from([1, 2, 3])] });
    const m = await marker(a);
    const [ea, ec] = await Promise.all([upToMarker(a, m), upToMarker(c, m)]);
    assert.deepEqual(names(ea), ["marker"]);
    assert.deepEqual(names(ec), ["blob", "marker"]);
    assert.deepEqual(Buffer.from(ec[0].args[0]), Buffer.from([1, 2, 3]));
    await upToMarker(b, m);
  });
});

describe("broadcast with acknowledgements", { timeout: TEST_TIMEOUT }, () => {
  after(() => closeAllClients());

  // Three clients (spread over the server's worker threads) in `room`; `answer(name, q)` is what
  // each gives back, or undefined for one that never answers.
  async function quiz(room, answer) {
    const clients = await Promise.all(
      ["q1", "q2", "q3"].map((n) => openClient(server, "/", { transports: ["websocket"] }, `${room}-${n}`)),
    );
    for (const [i, s] of clients.entries()) {
      assert.equal(await withTimeout(s.emitWithAck("join", room), WAIT, "join"), true);
      s.on("question", (q, cb) => {
        assert.equal(typeof cb, "function", "a broadcast with ack carries an ack id");
        const reply = answer(`q${i + 1}`, q);
        if (reply !== undefined) cb(reply);
      });
    }
    const asker = await openClient(server, "/", { transports: ["websocket"] }, `${room}-asker`);
    return { clients, asker };
  }

  test("every member's answer comes back, once each", async () => {
    const { asker } = await quiz("quiz-all", (name, q) => ({ name, q }));
    asker.emit("ask-room", { room: "quiz-all", payload: 7, timeout: 2000 });
    const [res] = (await asker.log.take("answers", WAIT, "the answers")).args;
    assert.equal(res.timed_out, false);
    assert.deepEqual(
      res.responses.sort((x, y) => x.name.localeCompare(y.name)),
      [
        { name: "q1", q: 7 },
        { name: "q2", q: 7 },
        { name: "q3", q: 7 },
      ],
    );
  });

  test("a member that never answers makes it time out with the answers that came", async () => {
    const { asker } = await quiz("quiz-silent", (name) => (name === "q2" ? undefined : name));
    asker.emit("ask-room", { room: "quiz-silent", payload: "?", timeout: 300 });
    const [res] = (await asker.log.take("answers", WAIT, "the answers")).args;
    assert.equal(res.timed_out, true);
    assert.deepEqual(res.responses.sort(), ["q1", "q3"]);
  });

  test("an empty room answers at once with no responses", async () => {
    const asker = await openClient(server, "/", { transports: ["websocket"] }, "lonely-asker");
    asker.emit("ask-room", { room: "nobody-here", payload: 1, timeout: 5000 });
    const [res] = (await asker.log.take("answers", 2000, "the answers")).args;
    assert.deepEqual(res, { timed_out: false, responses: [] });
  });
});

describe("volatile broadcast", { timeout: TEST_TIMEOUT }, () => {
  after(() => closeAllClients());

  // WebSocket clients only: a volatile packet may legitimately be dropped for a
  // polling client that has no GET pending at that moment.
  test('"to-all-volatile" reaches the connected clients', async () => {
    const [a, b, c] = await Promise.all([
      openClient(server, "/", { transports: ["websocket"] }, "va"),
      openClient(server, "/", { transports: ["websocket"] }, "vb"),
      openClient(server, "/", { transports: ["websocket"] }, "vc"),
    ]);
    // an "/admin" socket multiplexed on b's connection must not receive a broadcast
    // of namespace "/": anything sent to it would precede, on that same connection,
    // the echo b gets afterwards
    const admin = b.io.socket("/admin", { auth: { token: "secret" } });
    const adminEvents = [];
    admin.onAny((event) => adminEvents.push(event));
    const adminWelcome = once(admin, "welcome", WAIT, "welcome on /admin");
    await adminWelcome;
    adminEvents.length = 0; // drop the welcome
    const ok = await withTimeout(
      a.emitWithAck("to-all-volatile", { event: "news", args: ["v", 1] }),
      WAIT,
      "the to-all-volatile ack",
    );
    assert.equal(ok, true);
    for (const s of [a, b, c]) {
      const ev = await s.log.take("news", WAIT, "the volatile news");
      assert.deepEqual(ev.args, ["v", 1]);
    }
    await assertEchoes(b);
    assert.deepEqual(adminEvents, [], "/admin must not receive the broadcasts of /");
    admin.disconnect();
  });
});
