// Webhooks on one node (docs/design.md#webhooks) against a real HTTP backend on loopback: the
// events of a room's life in order (room_occupied, member_added, message, member_removed,
// room_vacated), in signed batches {time_ms, events}; a batch the backend refuses is sent again
// with the same event ids; --webhook-events picks the types; past --webhook-max-queued the
// oldest events are dropped and counted. The cluster suite checks "once per cluster".

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signatureValid, startBackend } from "../lib/backend.mjs";
import {
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  join,
  openUser,
  send,
  startChat,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

const SECRET = "webhook-secret";

const ofRoom = (events, room) => events.filter((e) => e.room === room).map((e) => [e.type, e.user ?? null]);

describe("--webhook: a room's life, batched and signed", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  let seen;
  let refuseNext = 0;
  before(async () => {
    backend = await startBackend();
    backend.answer("/wh", () => (refuseNext-- > 0 ? { status: 503 } : { status: 204 }));
    seen = backend.collect("/wh");
  });
  after(() => backend?.close());
  const server = withChat(() => [
    "--webhook", backend.url("/wh"), "--hook-secret", SECRET, "--rate-limit", "0", "--event-rate-limit", "0",
  ]);

  test("room_occupied, member_added ×2, message, member_removed ×2, room_vacated, in order", async () => {
    const room = uniqueRoom("life");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(ada, room);
    await join(bob, room);
    const id = await send(ada, room, "hello hooks");
    await api(server, "/api/leave", { json: { user: "bob", room } });
    ada.disconnect();
    const expected = [
      ["room_occupied", null],
      ["member_added", "ada"],
      ["member_added", "bob"],
      ["message", "ada"],
      ["member_removed", "bob"],
      ["member_removed", "ada"],
      ["room_vacated", null],
    ];
    await seen.until((ev) => ofRoom(ev, room).length >= expected.length, WAIT + 3000, "the room's seven events");
    assert.deepEqual(ofRoom(seen.events, room), expected);
    const message = seen.events.find((e) => e.room === room && e.type === "message");
    assert.deepEqual(Object.keys(message).sort(), ["id", "message", "name", "node", "room", "time_ms", "type", "user"]);
    assert.equal(message.message.id, id);
    assert.equal(message.message.text, "hello hooks");
    assert.equal(message.name, "ada");
    const health = await api(server, "/healthz");
    for (const e of seen.events) {
      assert.equal(e.node, health.json.node);
      assert.equal(typeof e.id, "string");
      assert.ok(Math.abs(e.time_ms - Date.now()) < 60000);
    }
    const batch = seen.batches.at(-1);
    assert.deepEqual(Object.keys(batch.body).sort(), ["events", "time_ms"]);
    assert.ok(signatureValid(batch, SECRET), "the batch is signed");
    assert.ok(seen.batches.length < expected.length, "batched: fewer requests than events");
    bob.disconnect();
  });

  test("a batch the backend refuses is sent again, with the same event ids", async () => {
    const room = uniqueRoom("retry");
    refuseNext = 1;
    const ada = await openUser(server, "ada");
    await join(ada, room);
    await seen.until((ev) => ofRoom(ev, room).length >= 4, WAIT + 4000, "the batch twice");
    const mine = seen.events.filter((e) => e.room === room);
    assert.deepEqual(mine.map((e) => e.type), ["room_occupied", "member_added", "room_occupied", "member_added"]);
    assert.deepEqual(mine.slice(2).map((e) => e.id), mine.slice(0, 2).map((e) => e.id), "the same events again");
    ada.disconnect();
    closeAllClients();
  });
});

describe("--webhook-events and --webhook-max-queued", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  let seen;
  let hang = false;
  before(async () => {
    backend = await startBackend();
    backend.answer("/wh", () => (hang ? { hang: true } : { status: 200, body: "ok" }));
    seen = backend.collect("/wh");
  });
  after(() => backend?.close());
  const server = withChat(() => [
    "--webhook", backend.url("/wh"), "--webhook-events", "message", "--webhook-max-queued", "5",
    "--hook-secret", SECRET, "--hook-timeout", "20000", "--rate-limit", "0", "--event-rate-limit", "0",
  ]);

  test("only the chosen types are sent; past the queue's bound the oldest are dropped and counted", async () => {
    const room = uniqueRoom("types");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    await send(ada, room, "one");
    await seen.until((ev) => ev.some((e) => e.room === room), WAIT + 2000, "the message event");
    assert.deepEqual(seen.events.map((e) => e.type), ["message"], "no member or room events");
    hang = true;
    await send(ada, room, "taken out, never answered"); // the backend holds this batch
    await seen.until((ev) => ev.length === 2, WAIT + 2000, "the held batch");
    for (let i = 0; i < 8; i++) await send(ada, room, `queued ${i}`);
    const res = await api(server, "/metrics");
    const dropped = Number(/^switchboard_webhook_events_total\{outcome="dropped"\} (\d+)/m.exec(res.text)?.[1]);
    assert.ok(dropped >= 3, `dropped ${dropped}: 9 events in a queue of 5`);
    closeAllClients();
  });
});

describe("a node that stops sends its last webhook events", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  before(async () => {
    backend = await startBackend();
    backend.answer("/wh", () => ({ status: 204 }));
  });
  after(() => backend?.close());

  test("events queued at SIGTERM, and those of the sockets it closes, go out before it exits", async () => {
    const seen = backend.collect("/wh");
    const server = await startChat(["--webhook", backend.url("/wh"), "--hook-secret", SECRET]);
    const room = uniqueRoom("last");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    await server.stop(); // well within the 1 s a batch may wait
    await seen.until((ev) => ev.some((e) => e.type === "room_vacated" && e.room === room), WAIT, "the room vacated");
    assert.deepEqual(ofRoom(seen.events, room), [
      ["room_occupied", null],
      ["member_added", "ada"],
      ["member_removed", "ada"],
      ["room_vacated", null],
    ]);
    closeAllClients();
  });
});
