// Refusals of docs/user-guide.md: bad_request for wrong payloads of every event, not_in_room,
// too_long, rate_limited; a refusal without an ack arrives as event `error`; unknown events are
// ignored and counted in /metrics.

import assert from "node:assert/strict";
import { afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  assertRefusal,
  closeAllClients,
  join,
  metric,
  openUser,
  send,
  uniqueRoom,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

const LONG_ROOM = "r".repeat(65); // 65 bytes
const LONG_UTF8_ROOM = "é".repeat(33); // 33 characters, 66 bytes

describe("bad_request and not_in_room (--rate-limit 0)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  let ada;
  let room;
  before(async () => {
    ada = await openUser(server, "ada");
    room = uniqueRoom("refusals");
    await join(ada, room);
  });
  afterEach(async () => {
    // the refused requests left the connection up: a valid request is still answered
    assert.equal(ada.connected, true, "the socket must stay connected after a refusal");
    assert.deepEqual((await ack(ada, "history", { room, limit: 1 })).ok, true);
  });

  // [label, args] — args are the emit arguments before the ack
  const roomPayloads = [
    ["a number", [42]],
    ["an array", [["lobby"]]],
    ["null", [null]],
    ["true", [true]],
    ["no payload at all", []],
    ["{} (room missing)", [{}]],
    ["{room: 5}", [{ room: 5 }]],
    ["{room: null}", [{ room: null }]],
    ["{room: [\"x\"]}", [{ room: ["x"] }]],
    ['"" (empty room)', [""]],
    ['{room: ""}', [{ room: "" }]],
    ["a 65-byte room", [LONG_ROOM]],
    ["{room: 65 bytes}", [{ room: LONG_ROOM }]],
    ["a 33 × é room (66 bytes)", [LONG_UTF8_ROOM]],
  ];

  for (const event of ["join", "leave"]) {
    for (const [label, args] of roomPayloads) {
      test(`${event} with ${label} → bad_request`, async () => {
        assertRefusal(await ack(ada, event, ...args), "bad_request", `${event} ${label}`);
      });
    }
  }

  const messagePayloads = [
    ["a number", [42]],
    ["a string", ["hello"]],
    ["an array", [[{ room: "x", text: "y" }]]],
    ["null", [null]],
    ["no payload at all", []],
    ["{} ", [{}]],
    ["{room} without text", [{ room: "ROOM" }]],
    ["{text} without room", [{ text: "hi" }]],
    ["{room: 5, text}", [{ room: 5, text: "hi" }]],
    ["{room, text: 5}", [{ room: "ROOM", text: 5 }]],
    ["{room, text: null}", [{ room: "ROOM", text: null }]],
    ["{room, text: {}}", [{ room: "ROOM", text: {} }]],
    ["{room, text: [\"x\"]}", [{ room: "ROOM", text: ["x"] }]],
    ['{room, text: ""} (empty text)', [{ room: "ROOM", text: "" }]],
    ['{room: "", text}', [{ room: "", text: "hi" }]],
    ["{room: 65 bytes, text}", [{ room: LONG_ROOM, text: "hi" }]],
  ];
  // "ROOM" stands for the room ada has joined, so that only the shape is wrong
  const withRoom = (args) => JSON.parse(JSON.stringify(args).replaceAll('"ROOM"', JSON.stringify(room)));
  for (const [label, args] of messagePayloads) {
    test(`message with ${label} → bad_request`, async () => {
      assertRefusal(await ack(ada, "message", ...withRoom(args)), "bad_request", `message ${label}`);
    });
  }

  const historyPayloads = [
    ["a number", [42]],
    ["an array", [[{ room: "x" }]]],
    ["null", [null]],
    ["no payload at all", []],
    ["{} (room missing)", [{}]],
    ["{room: 5}", [{ room: 5 }]],
    ['{room: ""}', [{ room: "" }]],
    ["{room: 65 bytes}", [{ room: LONG_ROOM }]],
    ["before: 0", [{ room: "ROOM", before: 0 }]],
    ["before: -1", [{ room: "ROOM", before: -1 }]],
    ["before: 1.5", [{ room: "ROOM", before: 1.5 }]],
    ['before: "5"', [{ room: "ROOM", before: "5" }]],
    ["before: true", [{ room: "ROOM", before: true }]],
    ["before: {}", [{ room: "ROOM", before: {} }]],
    ["limit: 0", [{ room: "ROOM", limit: 0 }]],
    ["limit: -5", [{ room: "ROOM", limit: -5 }]],
    ["limit: 2.5", [{ room: "ROOM", limit: 2.5 }]],
    ['limit: "10"', [{ room: "ROOM", limit: "10" }]],
    ["limit: true", [{ room: "ROOM", limit: true }]],
    ["limit: [10]", [{ room: "ROOM", limit: [10] }]],
  ];
  for (const [label, args] of historyPayloads) {
    test(`history with ${label} → bad_request`, async () => {
      assertRefusal(await ack(ada, "history", ...withRoom(args)), "bad_request", `history ${label}`);
    });
  }

  // typing has no ack: refusals come as event `error`
  const typingPayloads = [
    ["a number", [42]],
    ["an array", [[{ room: "x" }]]],
    ["null", [null]],
    ["no payload at all", []],
    ["{} (room missing)", [{}]],
    ["{room: 5}", [{ room: 5 }]],
    ['{room: ""}', [{ room: "" }]],
    ["{room: 65 bytes}", [{ room: LONG_ROOM }]],
  ];
  for (const [label, args] of typingPayloads) {
    test(`typing with ${label} → event error {ok:false, error:"bad_request"}`, async () => {
      ada.log.clear();
      ada.emit("typing", ...args);
      const ev = await ada.log.take("error", WAIT, `the error event for typing ${label}`);
      assert.equal(ev.args.length, 1);
      assertRefusal(ev.args[0], "bad_request", `typing ${label}`);
    });
  }

  test("join/leave/message without an ack: the refusal arrives as event error", async () => {
    for (const [event, payload] of [
      ["join", 42],
      ["leave", { room: 7 }],
      ["message", { room }],
    ]) {
      ada.log.clear();
      ada.emit(event, payload);
      const ev = await ada.log.take("error", WAIT, `the error event for ${event}`);
      assert.deepEqual(Object.keys(ev.args[0]).sort(), ["error", "message", "ok"]);
      assertRefusal(ev.args[0], "bad_request", `${event} without ack`);
    }
  });

  test("leave of a room the socket has not joined → not_in_room", async () => {
    assertRefusal(await ack(ada, "leave", uniqueRoom("never")), "not_in_room", "leave");
    assertRefusal(await ack(ada, "leave", { room: uniqueRoom("never") }), "not_in_room", "leave {room}");
  });

  test("message to a room the socket has not joined → not_in_room, nothing delivered or stored", async () => {
    const other = uniqueRoom("not-joined");
    const bob = await openUser(server, "bob");
    await join(bob, other);
    bob.log.clear();
    assertRefusal(await ack(ada, "message", { room: other, text: "intruder" }), "not_in_room", "message");
    const h = await ack(bob, "history", { room: other });
    assert.deepEqual(h, { ok: true, messages: [] }, "the refused message is not stored");
    const id = await send(bob, other, "marker");
    const events = await bob.log.until((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "marker");
    assert.deepEqual(events.map((e) => e.args[0]?.text), ["marker"], "the refused message is not delivered");
  });

  test("typing in a room the socket has not joined → event error not_in_room, nothing sent to the room", async () => {
    const other = uniqueRoom("typing-not-joined");
    const bob = await openUser(server, "bob");
    await join(bob, other);
    bob.log.clear();
    ada.log.clear();
    ada.emit("typing", { room: other });
    const ev = await ada.log.take("error", WAIT, "the error event");
    assertRefusal(ev.args[0], "not_in_room", "typing");
    const id = await send(bob, other, "marker");
    const events = await bob.log.until((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "marker");
    assert.deepEqual(events.map((e) => e.event), ["message"], "no typing reached the room");
  });

  test("a room joined by another socket of the same user does not count: not_in_room", async () => {
    const other = uniqueRoom("other-socket");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    await join(ada2, other);
    assertRefusal(await ack(ada, "message", { room: other, text: "x" }), "not_in_room", "message");
    assertRefusal(await ack(ada, "leave", other), "not_in_room", "leave");
  });
});

describe("reserved room names: user:… and names shaped like a socket id → forbidden", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());

  test("join and leave of the socket's own id, another socket's id, any 20-character id shape, user:… → forbidden", async () => {
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    assert.match(ada.id, /^[A-Za-z0-9_-]{20}$/, `a socket id is 20 characters of A-Za-z0-9_-: ${ada.id}`);
    const reserved = [
      ["its own socket id", ada.id],
      ["another socket's id", bob.id],
      ["{room: another socket's id}", { room: bob.id }],
      ["a made-up id shape", "abcdefghij_KLMNOP-19"],
      ["20 digits", "01234567890123456789"],
      ['"user:bob"', "user:bob"],
      ['"user:ada" (its own user)', "user:ada"],
      ['"user:"', "user:"],
      ['{room: "user:x"}', { room: "user:x" }],
    ];
    for (const [label, room] of reserved) {
      assertRefusal(await ack(ada, "join", room), "forbidden", `join ${label}`);
      assertRefusal(await ack(ada, "leave", room), "forbidden", `leave ${label}`);
    }
    // without an ack the refusal arrives as event error
    ada.log.clear();
    ada.emit("join", bob.id);
    const ev = await ada.log.take("error", WAIT, "the forbidden error event");
    assertRefusal(ev.args[0], "forbidden", "join of a socket id without an ack");
    // nobody sends to a socket's own room or a user's room, its own included
    assertRefusal(await ack(ada, "message", { room: bob.id, text: "x" }), "forbidden", "message to bob's id");
    assertRefusal(await ack(ada, "message", { room: "user:ada", text: "x" }), "forbidden", "message to user:ada");
    assertRefusal(await ack(ada, "typing", { room: ada.id }), "forbidden", "typing in its own id");
    assert.equal(ada.connected, true);
  });

  test("names close to the reserved shapes are ordinary rooms", async () => {
    const ada = await openUser(server, "ada");
    for (const room of [
      "a".repeat(19),
      "a".repeat(21),
      "abcdefghij.KLMNOP-19", // 20 characters, one of them not of the id alphabet
      "abcdefghij KLMNOP-19",
      "éabcdefghijKLMNOP-19",
      "User:bob",
      "users:bob",
      "xuser:bob",
    ]) {
      const res = await ack(ada, "join", room);
      assert.equal(res.ok, true, `join ${JSON.stringify(room)}: ${JSON.stringify(res)}`);
      assert.deepEqual(await ack(ada, "leave", room), { ok: true }, `leave ${JSON.stringify(room)}`);
    }
  });
});

describe("too_long (default --max-text 4000)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);

  test("4001 code points → too_long; 4000 ASCII and 4000 emoji are accepted", async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("long");
    await join(ada, room);
    assertRefusal(await ack(ada, "message", { room, text: "a".repeat(4001) }), "too_long", "4001 × a");
    assertRefusal(await ack(ada, "message", { room, text: "😀".repeat(4001) }), "too_long", "4001 emoji");
    await send(ada, room, "a".repeat(4000));
    await send(ada, room, "😀".repeat(4000));
    const h = await ack(ada, "history", { room });
    assert.deepEqual(
      h.messages.map((m) => m.text.length),
      [8000, 4000],
      "only the two accepted messages are stored",
    );
  });

  test("without an ack, too_long arrives as event error", async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("long-noack");
    await join(ada, room);
    ada.log.clear();
    ada.emit("message", { room, text: "é".repeat(4001) });
    const ev = await ada.log.take("error", WAIT, "the error event");
    assertRefusal(ev.args[0], "too_long");
  });
});

describe("--max-text 5", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--max-text", "5"]);

  test("5 emoji accepted, 6 characters → too_long", async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("max-text");
    await join(ada, room);
    await send(ada, room, "😀😀😀😀😀");
    assertRefusal(await ack(ada, "message", { room, text: "abcdef" }), "too_long");
  });
});

describe("rate_limited (--rate-limit 1:2)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "1:2"]);

  test("a burst of 2 messages passes, the 3rd is rate_limited and not delivered; later a retry passes", async () => {
    const ada = await openUser(server, "ada");
    const room = uniqueRoom("rate");
    await join(ada, room);
    // three emitted back to back: at 1 token per second, the third finds the bucket empty
    const acks = [1, 2, 3].map((i) => ada.emitWithAck("message", { room, text: `burst ${i}` }));
    const res = await withTimeout(Promise.all(acks), WAIT, "three acks");
    assert.equal(res[0].ok, true, JSON.stringify(res[0]));
    assert.equal(res[1].ok, true, JSON.stringify(res[1]));
    assertRefusal(res[2], "rate_limited", "3rd message");
    // join/history are not rate limited
    const h = await ack(ada, "history", { room });
    assert.deepEqual(
      h.messages.map((m) => m.text),
      ["burst 2", "burst 1"],
      "the refused message is not stored",
    );
    // "wait and retry": the bucket refills at 1 token per second; poll (bounded) until accepted
    const deadline = Date.now() + 4000;
    let retry;
    for (;;) {
      retry = await ack(ada, "message", { room, text: "retry" });
      if (retry.ok) break;
      assertRefusal(retry, "rate_limited", "retry");
      if (Date.now() > deadline) assert.fail("still rate_limited 4 s after the burst at 1 message/s");
      await new Promise((r) => setTimeout(r, 250)); // poll period, not synchronisation
    }
    assert.ok(retry.id > res[1].id);
  });

  test("typing counts too; over the limit without an ack → event error rate_limited", async () => {
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    const room = uniqueRoom("rate-typing");
    await join(ada, room);
    await join(bob, room);
    ada.log.clear();
    ada.emit("typing", { room });
    ada.emit("typing", { room });
    ada.emit("typing", { room });
    const ev = await ada.log.take("error", WAIT, "the rate_limited error event");
    assertRefusal(ev.args[0], "rate_limited", "3rd typing");
    // the bucket is empty: a message right away is refused too
    assertRefusal(await ack(ada, "message", { room, text: "x" }), "rate_limited", "message after 2 typings");
  });

  test("the limit is per socket: another socket of the same user is not limited", async () => {
    const ada1 = await openUser(server, "ada", {}, "ada1");
    const ada2 = await openUser(server, "ada", {}, "ada2");
    const room = uniqueRoom("rate-per-socket");
    await join(ada1, room);
    await join(ada2, room);
    const res = await withTimeout(
      Promise.all([1, 2, 3].map((i) => ada1.emitWithAck("message", { room, text: `a${i}` }))),
      WAIT,
      "acks",
    );
    assertRefusal(res[2], "rate_limited");
    await send(ada2, room, "from the other socket");
  });
});

describe("unknown events", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);

  test("are ignored (the connection stays up) and counted in switchboard_unknown_events_total", async () => {
    const before = (await metric(server, "switchboard_unknown_events_total")) ?? 0;
    const ada = await openUser(server, "ada");
    ada.emit("frobnicate", { x: 1 });
    ada.emit("Join", "room"); // event names are case-sensitive
    ada.emit("shout", "a", 2, [3]);
    // the three were processed before this join (same socket, in order)
    const room = uniqueRoom("after-unknown");
    assert.deepEqual(await ack(ada, "join", room), { ok: true, room, history: [], members: ["ada"] });
    assert.equal(ada.connected, true);
    assert.deepEqual(
      ada.log.events.filter((e) => e.event === "error"),
      [],
      "unknown events are ignored, not refused",
    );
    const afterCount = await metric(server, "switchboard_unknown_events_total");
    assert.notEqual(afterCount, undefined, "/metrics has switchboard_unknown_events_total");
    assert.equal(afterCount - before, 3, `counter went from ${before} to ${afterCount}`);
  });
});

describe("numbers at the edge of JSON: answered, never a crash", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);

  for (const [label, extra] of [
    ["before: 2^53", { before: 2 ** 53 }],
    ["before: 1e300", { before: 1e300 }],
    ["limit: 2^53", { limit: 2 ** 53 }],
    ["limit: 1e300", { limit: 1e300 }],
    ["before: 1e-300", { before: 1e-300 }],
  ]) {
    test(`history with ${label}: ok or bad_request`, async () => {
      const ada = await openUser(server, "ada");
      const room = uniqueRoom("edge");
      await join(ada, room);
      await send(ada, room, "one");
      const res = await ack(ada, "history", { room, ...extra }).catch((err) => {
        if (!server.alive()) assert.fail(`the server died:\n${server.output()}`);
        throw err;
      });
      if (res.ok) {
        assert.ok(Array.isArray(res.messages), JSON.stringify(res));
      } else {
        assertRefusal(res, "bad_request", label);
      }
      assert.equal(server.alive(), true);
    });
  }
});
