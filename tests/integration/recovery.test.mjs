// Connection state recovery with the official client (testbed --recovery-window): a client whose
// transport drops and comes back within the window gets its socket id, rooms and data back and
// every broadcast it missed, exactly once and in order; after the window, or after a namespace
// disconnect, it gets a new socket. The testbed runs two event-loop threads, so the broadcasts
// cross threads.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { RecoveringClients, ask, connected, dropTransport } from "../lib/recovering-client.mjs";
import { TEST_TIMEOUT, WAIT, closeAllClients, startServer } from "./harness.mjs";

const DROP_MS = 2000; // how long a client stays away: its reconnection delay
const MISSED = 100;

const clients = new RecoveringClients(DROP_MS);
let server;
let shortWindow;
before(async () => {
  server = await startServer(["--recovery-window", "10000", "--threads", "2"]);
  shortWindow = await startServer(["--recovery-window", "300", "--threads", "2"]);
});
afterEach(() => {
  clients.closeAll();
  closeAllClients();
});
after(async () => {
  await server?.stop();
  await shortWindow?.stop();
});

// The first arguments of the next `count` "m" events, each checked to end with an offset.
async function takeMessages(s, count, ms) {
  const values = [];
  for (let i = 0; i < count; i++) {
    const ev = await s.log.take("m", ms, `message ${values.length + 1} of ${count}`);
    values.push(ev.args[0]);
    assert.equal(typeof ev.args.at(-1), "string", "a recoverable broadcast ends with its offset");
  }
  return values;
}

for (const transport of ["websocket", "polling"]) {
  describe(`recovery over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    test("back within the window: same id, rooms and data, every missed broadcast once and in order", async () => {
      const sub = await connected(clients.open(server, "sub", transport));
      const pub = await connected(clients.open(server, "pub", transport));
      assert.equal(sub.recovered, false);
      const id = sub.id;
      assert.equal(await ask(sub, "join", "r"), true);
      assert.equal(await ask(sub, "set-data", "kept"), true);
      assert.equal(await ask(pub, "to-room", { room: "r", event: "m", args: [0] }), true);
      assert.deepEqual(await takeMessages(sub, 1, WAIT), [0]); // the client now has an offset

      const { reconnected } = await dropTransport(sub);
      const acks = [];
      for (let i = 1; i <= MISSED; i++) acks.push(ask(pub, "to-room", { room: "r", event: "m", args: [i] }));
      await Promise.all(acks);
      assert.equal(sub.connected, false, "all were sent while the client was away");

      await reconnected;
      assert.equal(sub.recovered, true, "socket.recovered");
      assert.equal(sub.id, id, "the socket id is kept");
      const expected = Array.from({ length: MISSED }, (_, i) => i + 1);
      assert.deepEqual(await takeMessages(sub, MISSED, WAIT), expected);

      // Rooms and data came back with it; nothing was sent twice.
      assert.equal(await ask(pub, "to-room", { room: "r", event: "m", args: [MISSED + 1] }), true);
      assert.deepEqual(await takeMessages(sub, 1, WAIT), [MISSED + 1]);
      assert.equal(sub.log.events.filter((e) => e.event === "m").length, 0, "no duplicates");
      const fetched = await ask(pub, "fetch", { room: "r" });
      assert.deepEqual(
        fetched.sockets.map((x) => [x.id, x.data]),
        [[id, { value: "kept" }]],
      );
    });
  });
}

test("a direct emit is recoverable too", { timeout: TEST_TIMEOUT }, async () => {
  const s = await connected(clients.open(server, "direct"));
  s.emit("echo", "first");
  const first = await s.log.take("echo", WAIT, "the echo");
  assert.equal(first.args[0], "first");
  assert.equal(typeof first.args.at(-1), "string", "emits to one socket carry an offset");
  const { reconnected } = await dropTransport(s);
  await reconnected;
  assert.equal(s.recovered, true);
  s.emit("echo", "second");
  assert.equal((await s.log.take("echo", WAIT, "the second echo")).args[0], "second");
});

test("after the window the client gets a new socket", { timeout: TEST_TIMEOUT }, async () => {
  const s = await connected(clients.open(shortWindow, "late"));
  const id = s.id;
  const welcome = await s.log.take("welcome", WAIT, "welcome");
  assert.equal(welcome.args[0].recovered, false);
  s.emit("echo", "x");
  await s.log.take("echo", WAIT, "the echo"); // gives the client an offset
  const { reconnected } = await dropTransport(s);
  await reconnected;
  assert.equal(s.recovered, false, "the session expired after 300 ms");
  assert.notEqual(s.id, id);
  const again = await s.log.take("welcome", WAIT, "welcome of the new socket");
  assert.deepEqual(again.args[0], { id: s.id, recovered: false });
});

test("a client that disconnects on purpose does not recover", { timeout: TEST_TIMEOUT }, async () => {
  const s = await connected(clients.open(server, "leaver"));
  const id = s.id;
  s.emit("echo", "x");
  await s.log.take("echo", WAIT, "the echo");
  s.disconnect();
  s.connect();
  await connected(s);
  assert.equal(s.recovered, false);
  assert.notEqual(s.id, id);
});

test("an unknown pid or offset gets a new socket, not an error", { timeout: TEST_TIMEOUT }, async () => {
  const s = clients.open(server, "forged");
  s.auth = { pid: "not-a-session", offset: "12" };
  await connected(s);
  assert.equal(s.recovered, false);
  const welcome = await s.log.take("welcome", WAIT, "welcome");
  assert.equal(welcome.args[0].recovered, false);
});
