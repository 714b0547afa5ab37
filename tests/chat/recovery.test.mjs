// The chat server recovers connections by default (--recovery-window 120000): a user whose
// connection drops while the room goes on talking comes back with the same socket, still in the
// room and present there, and gets every message it missed once and in order; the messages were
// stored in history all the same. The recovery counters move.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  connectUser,
  join,
  metric,
  openUser,
  send,
  startChat,
  uniqueRoom,
  waitConnected,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

const DROP_MS = 1500; // the client's reconnection delay: how long it stays away
const MISSED = 40;

const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
afterEach(() => closeAllClients());

test("a user back within the window gets its socket, its rooms, its presence and every missed message", { timeout: TEST_TIMEOUT }, async () => {
  const room = uniqueRoom("recover");
  const ada = await waitConnected(
    connectUser(server, "ada", {
      reconnection: true,
      reconnectionDelay: DROP_MS,
      reconnectionDelayMax: DROP_MS,
      randomizationFactor: 0,
    }),
  );
  const bob = await openUser(server, "bob");
  await join(ada, room);
  await join(bob, room);
  const first = await send(bob, room, "before");
  const seen = await ada.log.take((e) => e.event === "message" && e.args[0]?.id === first, WAIT, "the first message");
  assert.match(seen.offset, /^\d+$/, "a recoverable message carries its offset");
  const id = ada.id;

  const dropped = withTimeout(new Promise((r) => ada.once("disconnect", r)), WAIT, "the drop");
  ada.io.engine.close(); // as a network failure
  await dropped;
  await bob.log.take((e) => e.event === "presence" && e.args[0]?.action === "leave", WAIT, "ada leaving");
  const back = withTimeout(new Promise((r) => ada.once("connect", r)), DROP_MS + 2 * WAIT, "ada to come back");
  const ids = [];
  for (let i = 0; i < MISSED; i++) ids.push(await send(bob, room, `missed ${i}`));
  assert.equal(ada.connected, false, "every message was sent while ada was away");
  await back;

  assert.equal(ada.recovered, true);
  assert.equal(ada.id, id);
  const got = [];
  for (let i = 0; i < MISSED; i++) {
    const ev = await ada.log.take("message", WAIT, `missed message ${i + 1}`);
    got.push(ev.args[0].id);
  }
  assert.deepEqual(got, ids, "every missed message, once, in order");
  await bob.log.take(
    (e) => e.event === "presence" && e.args[0]?.action === "join" && e.args[0]?.user === "ada",
    WAIT,
    "ada present again",
  );

  // Still a member: a new message reaches it, and the members list has it.
  const after = await send(bob, room, "after");
  const live = await ada.log.take("message", WAIT, "the live message");
  assert.equal(live.args[0].id, after);
  assert.equal(ada.log.events.filter((e) => e.event === "message").length, 0, "no duplicates");
  const members = await join(bob, room);
  assert.deepEqual(members.members, ["ada", "bob"]);
  assert.ok((await metric(server, "switchboard_recovered_sockets_total")) >= 1);
  assert.ok((await metric(server, "switchboard_recovered_packets_total")) >= MISSED);
});

test("--recovery-window 0: no pid in the CONNECT reply, no offset on messages", { timeout: TEST_TIMEOUT }, async () => {
  const off = await startChat(["--recovery-window", "0", "--rate-limit", "0", "--event-rate-limit", "0"]);
  try {
    const room = uniqueRoom("norecover");
    const ada = await openUser(off, "ada");
    assert.equal(ada._pid, undefined, "no pid in the CONNECT reply");
    await join(ada, room);
    const id = await send(ada, room, "hi");
    const ev = await ada.log.take("message", WAIT, "the message");
    assert.equal(ev.args[0].id, id);
    assert.equal(ev.args.length, 1, "no offset argument");
  } finally {
    await off.stop();
  }
});
