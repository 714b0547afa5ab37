// Disconnect reasons seen by the official client, automatic reconnection after a
// transport loss, and the server-side ping timeout.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  assertEchoes,
  closeAllClients,
  closeAllRaw,
  connectClient,
  once,
  openClient,
  openRawSession,
  startServer,
  waitConnected,
  waitSessions,
} from "./harness.mjs";

let server;
before(async () => {
  server = await startServer();
});
afterEach(() => {
  closeAllClients();
  closeAllRaw();
});
after(async () => {
  closeAllClients();
  closeAllRaw();
  await server?.stop();
});

for (const transport of ["websocket", "polling"]) {
  describe(`disconnect reasons over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    test('"disconnect-me" false → "io server disconnect"', async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      s.emit("disconnect-me", false);
      const [reason] = await disconnected;
      assert.equal(reason, "io server disconnect");
      assert.equal(s.connected, false);
    });

    test('"disconnect-me" false keeps the Engine.IO connection for the other namespaces', async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const admin = s.io.socket("/admin", { auth: { token: "secret" } }); // auto-connects
      await once(admin, "welcome", WAIT, "welcome on /admin");
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      s.emit("disconnect-me", false);
      assert.equal((await disconnected)[0], "io server disconnect");
      // "/" can connect again on the same connection and still works
      s.connect();
      await waitConnected(s);
      await assertEchoes(s);
      assert.equal(admin.connected, true, "the /admin socket must still be connected");
    });

    test('"disconnect-me" true → "io server disconnect"', async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      s.emit("disconnect-me", true);
      const [reason] = await disconnected;
      assert.equal(reason, "io server disconnect");
      assert.equal(s.connected, false);
    });

    test('"disconnect-me" true closes the whole connection (other namespaces too)', async () => {
      const s = await openClient(server, "/", { transports: [transport] });
      const admin = s.io.socket("/admin", { auth: { token: "secret" } });
      await once(admin, "welcome", WAIT, "welcome on /admin");
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      const adminDisconnected = once(admin, "disconnect", WAIT, "disconnect of /admin");
      const engineClosed = once(s.io.engine, "close", WAIT, "the Engine.IO connection to close");
      s.emit("disconnect-me", true);
      // (the reason "/" reports is asserted by the previous test)
      await disconnected;
      // close=true ends the whole connection: the other namespace goes too
      await engineClosed;
      await adminDisconnected;
      assert.equal(admin.connected, false);
    });

    test('client socket.disconnect() → "io client disconnect", and the server drops the session', async () => {
      const baseline = await waitSessions(server, () => true, WAIT, "stats");
      const s = await openClient(server, "/", { transports: [transport] });
      await waitSessions(server, (n) => n >= 1, WAIT, "the session to be counted");
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      s.disconnect();
      const [reason] = await disconnected;
      assert.equal(reason, "io client disconnect");
      // the Manager closes the Engine.IO connection (last socket): the server must forget it
      await waitSessions(server, (n) => n <= baseline, 5000, `sessions back to ${baseline}`);
    });

    test('"drop-transport" → "transport close", then automatic reconnection', async () => {
      const s = connectClient(server, "/", {
        transports: [transport],
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 50,
        randomizationFactor: 0,
        reconnectionAttempts: 20,
      });
      await waitConnected(s);
      const firstId = s.id;
      const disconnected = once(s, "disconnect", WAIT, "disconnect");
      const reconnected = once(s, "connect", 5000, "the automatic reconnection");
      s.emit("drop-transport");
      const [reason] = await disconnected;
      assert.equal(reason, "transport close");
      await reconnected;
      const welcome = await s.log.take("welcome", WAIT, "the new welcome");
      assert.deepEqual(welcome.args, [{ id: s.id, recovered: false }]);
      assert.notEqual(s.id, firstId, "a new session must get a new id");
      await assertEchoes(s);
    });
  });
}

describe("ping timeout", { timeout: TEST_TIMEOUT }, () => {
  let fast;
  before(async () => {
    fast = await startServer(["--ping-interval", "200", "--ping-timeout", "100"]);
  });
  after(async () => {
    closeAllRaw();
    await fast?.stop();
  });

  test("a raw WebSocket client that never pongs is closed by the server", async () => {
    const t0 = Date.now();
    const { ws, open } = await openRawSession(fast, { connect: true });
    assert.equal(open.pingInterval, 200);
    assert.equal(open.pingTimeout, 100);
    // the ws library answers WebSocket-level pings, never Engine.IO pings ("2")
    const { before } = await ws.waitClose(3000, "the server to close the silent client");
    const elapsed = Date.now() - t0;
    const pings = before.filter((m) => !m.isBinary && m.data === "2").length;
    assert.ok(pings >= 1, `expected an Engine.IO ping before the close, got ${JSON.stringify(before)}`);
    assert.ok(elapsed >= 250, `closed too early (${elapsed} ms): pingInterval + pingTimeout is 300 ms`);
    await waitSessions(fast, (n) => n === 0, 3000, "the timed-out session to be removed");
  });

  test("a client that answers the pings stays connected past several intervals", async () => {
    const { ws } = await openRawSession(fast, { connect: true });
    let pongs = 0;
    for (; pongs < 5; pongs++) {
      const ev = await ws.nextEvent(2000, "an Engine.IO ping");
      assert.equal(ev.type, "message", `unexpected ${JSON.stringify(ev)}`);
      assert.equal(ev.data, "2");
      ws.send("3");
    }
    assert.equal(ws.closed, false);
    ws.send('42["echo","still here"]');
    assert.equal(await ws.nextText(2000, "the echo"), '42["echo","still here"]');
  });

  test("the official client stays connected (it answers the pings)", async () => {
    const s = await openClient(fast, "/", { transports: ["websocket"] });
    // wait for several ping/pong cycles, observed through the engine
    for (let i = 0; i < 4; i++) await once(s.io.engine, "ping", 2000, "an Engine.IO ping");
    assert.equal(s.connected, true);
    await assertEchoes(s);
  });
});
