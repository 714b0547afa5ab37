// Transports, acknowledgements in both directions, and binary payloads, with the
// official socket.io-client against the testbed server.

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
  toBuffer,
  waitConnected,
  withTimeout,
} from "./harness.mjs";

let server;
before(async () => {
  server = await startServer();
});
afterEach(() => closeAllClients());
after(async () => {
  closeAllClients();
  await server?.stop();
});

describe("transports", { timeout: TEST_TIMEOUT }, () => {
  test("WebSocket only: connects and exchanges an echo", async () => {
    const s = await openClient(server, "/", { transports: ["websocket"] });
    assert.equal(s.io.engine.transport.name, "websocket");
    await assertEchoes(s);
  });

  test("polling only: connects and exchanges an echo", async () => {
    const s = await openClient(server, "/", { transports: ["polling"] });
    assert.equal(s.io.engine.transport.name, "polling");
    await assertEchoes(s);
    // a second round trip, to go through another long-poll cycle
    await assertEchoes(s);
  });

  test("polling with upgrade: upgrades to WebSocket and exchanges an echo", async () => {
    const s = connectClient(server, "/", { transports: ["polling", "websocket"] });
    // the engine exists right after io(); listen before the upgrade can happen
    const upgraded = once(s.io.engine, "upgrade", WAIT, "the transport upgrade");
    await waitConnected(s);
    const [transport] = await upgraded;
    assert.equal(transport.name, "websocket");
    assert.equal(s.io.engine.transport.name, "websocket");
    await assertEchoes(s);
  });

  test("polling with upgrade: an echo emitted before the upgrade is not lost", async () => {
    const s = connectClient(server, "/", { transports: ["polling", "websocket"] });
    const upgraded = once(s.io.engine, "upgrade", WAIT, "the transport upgrade");
    await waitConnected(s);
    // emitted while the upgrade is (most likely) in progress
    await Promise.all([assertEchoes(s), assertEchoes(s), upgraded]);
    assert.equal(s.io.engine.transport.name, "websocket");
    await assertEchoes(s);
  });
});

for (const transport of ["websocket", "polling"]) {
  describe(`acknowledgements over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    test("client → server ack: emitWithAck resolves with the value sent", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      // emitWithAck resolves with the first acknowledgement argument only
      const first = await withTimeout(s.emitWithAck("ack", 1, "2", { x: [true] }), WAIT, "the ack");
      assert.equal(first, 1);
      const single = await withTimeout(s.emitWithAck("ack", { x: [true], y: null }), WAIT, "the ack");
      assert.deepEqual(single, { x: [true], y: null });
    });

    test("client → server ack: the callback receives all the values sent", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const args = await withTimeout(
        new Promise((resolve) => s.emit("ack", 1, "2", { x: [true] }, (...a) => resolve(a))),
        WAIT,
        "the ack callback",
      );
      assert.deepEqual(args, [1, "2", { x: [true] }]);
    });

    test("client → server ack: with a timeout flag, resolves before the timeout", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const v = await withTimeout(s.timeout(2000).emitWithAck("ack", "t"), WAIT, "the ack");
      assert.equal(v, "t");
    });

    test("server → client ack: the client's answer is reported back", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const questions = [];
      s.on("question", (payload, cb) => {
        questions.push(payload);
        cb("yes", 42, { nested: [1, 2] });
      });
      s.emit("ask", { payload: { q: "life" }, timeout: 2000 });
      const answer = await s.log.take("answer", WAIT, "the answer event");
      assert.deepEqual(questions, [{ q: "life" }]);
      assert.deepEqual(answer.args, [{ timed_out: false, args: ["yes", 42, { nested: [1, 2] }] }]);
    });

    test("server → client ack: the timeout fires when the client never answers", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      let asked = null;
      s.on("question", (payload, cb) => {
        assert.equal(typeof cb, "function", "the question must carry an ack id");
        asked = payload; // never calls cb
      });
      s.emit("ask", { payload: "silent", timeout: 150 });
      const answer = await s.log.take("answer", WAIT, "the answer event");
      assert.equal(asked, "silent");
      assert.equal(answer.args.length, 1);
      assert.equal(answer.args[0].timed_out, true, `answer: ${JSON.stringify(answer.args)}`);
    });
  });

  describe(`binary over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    test("echo of a Buffer comes back as the same bytes", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      s.emit("echo", Buffer.from([1, 2, 3]));
      const ev = await s.log.take("echo", WAIT, "the binary echo");
      assert.equal(ev.args.length, 1);
      assert.deepEqual(toBuffer(ev.args[0]), Buffer.from([1, 2, 3]));
    });

    test("echo of nested Buffers {a: Buffer, b: [Buffer]} keeps structure and bytes", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const a = Buffer.from([0, 255, 128, 7]);
      const b0 = Buffer.from("héllo", "utf8");
      const b1 = Buffer.alloc(0);
      s.emit("echo", { a, b: [b0, b1], label: "nested" }, 5);
      const ev = await s.log.take("echo", WAIT, "the nested binary echo");
      assert.equal(ev.args.length, 2);
      const [obj, five] = ev.args;
      assert.equal(five, 5);
      assert.deepEqual(Object.keys(obj).sort(), ["a", "b", "label"]);
      assert.equal(obj.label, "nested");
      assert.deepEqual(toBuffer(obj.a, "a"), a);
      assert.equal(obj.b.length, 2);
      assert.deepEqual(toBuffer(obj.b[0], "b[0]"), b0);
      assert.deepEqual(toBuffer(obj.b[1], "b[1]"), b1);
    });

    test("binary in an acknowledgement, both ways", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const got = await withTimeout(
        new Promise((resolve) => s.emit("ack", Buffer.from([9, 8]), { z: Buffer.from([7]) }, (...a) => resolve(a))),
        WAIT,
        "the binary ack",
      );
      assert.equal(got.length, 2);
      assert.deepEqual(toBuffer(got[0]), Buffer.from([9, 8]));
      assert.deepEqual(toBuffer(got[1].z), Buffer.from([7]));

      s.on("question", (payload, cb) => cb(Buffer.from([4, 5, 6])));
      s.emit("ask", { payload: "bin?", timeout: 2000 });
      const answer = await s.log.take("answer", WAIT, "the answer event");
      assert.equal(answer.args[0].timed_out, false);
      assert.equal(answer.args[0].args.length, 1);
      assert.deepEqual(toBuffer(answer.args[0].args[0]), Buffer.from([4, 5, 6]));
    });

    test("a larger binary payload (64 KiB) round-trips intact", async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const big = Buffer.alloc(64 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
      s.emit("echo", big);
      const ev = await s.log.take("echo", WAIT, "the large binary echo");
      assert.ok(toBuffer(ev.args[0]).equals(big), "64 KiB payload differs");
    });
  });
}
