// Session leak check: 1,000 raw Engine.IO WebSocket sessions (connected to "/"),
// destroyed abruptly (TCP reset / destroy, no close frame, no DISCONNECT), must all
// be forgotten by the server well before the ping timeout (25 s + 20 s here).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  RawWs,
  WAIT,
  assertEchoes,
  closeAllClients,
  closeAllRaw,
  openClient,
  sessionCount,
  startServer,
  waitSessions,
  withTimeout,
} from "./harness.mjs";

const TOTAL = 1000;
const BATCH = 100;

// Opens one raw session: waits for the open packet, sends "40", waits for "40{...}".
async function openOne(server) {
  const ws = new RawWs(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`);
  const open = await ws.nextText(5000, "the Engine.IO open packet");
  assert.ok(open.startsWith("0{"), `expected an open packet, got ${JSON.stringify(open)}`);
  ws.send("40");
  const connect = await ws.nextText(5000, "the Socket.IO CONNECT answer");
  assert.ok(connect.startsWith("40{"), `expected 40{...}, got ${JSON.stringify(connect)}`);
  return ws;
}

async function openMany(server, total) {
  const all = [];
  for (let i = 0; i < total; i += BATCH) {
    const n = Math.min(BATCH, total - i);
    all.push(...(await Promise.all(Array.from({ length: n }, () => openOne(server)))));
  }
  return all;
}

describe("session leak check", { timeout: 60000 }, () => {
  let server;
  before(async () => {
    server = await startServer(["--threads", "2"]);
  });
  after(async () => {
    closeAllRaw();
    closeAllClients();
    await server?.stop();
  });

  test(`${TOTAL} WebSocket sessions destroyed abruptly leave no session behind`, async () => {
    assert.equal(await sessionCount(server), 0);
    const sockets = await withTimeout(openMany(server, TOTAL), 30000, `${TOTAL} sessions to open`);
    const open = await sessionCount(server);
    assert.ok(open >= TOTAL, `expected at least ${TOTAL} sessions while they are open, got ${open}`);

    for (const s of sockets) s.ws._socket.destroy();
    await waitSessions(server, (n) => n === 0, 10000, "every destroyed session to be removed");

    // the server still serves new clients
    const c = await openClient(server, "/", { transports: ["websocket"] });
    await assertEchoes(c);
  });

  test(`${TOTAL} sessions closed with terminate() mixed with clean closes leave none behind`, async () => {
    const sockets = await withTimeout(openMany(server, TOTAL), 30000, `${TOTAL} sessions to open`);
    assert.ok((await sessionCount(server)) >= TOTAL);
    sockets.forEach((s, i) => {
      if (i % 3 === 0) s.ws.terminate(); // abrupt
      else if (i % 3 === 1) s.ws.close(1000); // WebSocket close handshake
      else s.send("1"); // Engine.IO close packet
    });
    closeAllClients();
    await waitSessions(server, (n) => n === 0, 10000, "every closed session to be removed");
  });

  test("abandoned polling sessions (aborted long-poll) are removed by the ping timeout", async () => {
    const fast = await startServer(["--ping-interval", "200", "--ping-timeout", "100"]);
    try {
      const base = `${fast.url}/socket.io/?EIO=4&transport=polling`;
      const controllers = [];
      const pending = [];
      for (let i = 0; i < 100; i++) {
        const hs = await fetch(base, { signal: AbortSignal.timeout(WAIT) });
        const text = await hs.text();
        const sid = JSON.parse(text.slice(1)).sid;
        const url = `${base}&sid=${encodeURIComponent(sid)}`;
        const post = await fetch(url, { method: "POST", body: "40", signal: AbortSignal.timeout(WAIT) });
        assert.equal(await post.text(), "ok");
        const first = await fetch(url, { signal: AbortSignal.timeout(WAIT) });
        const firstText = await first.text();
        assert.ok(firstText.startsWith("40{"), firstText);
        const ac = new AbortController();
        controllers.push(ac);
        pending.push(fetch(url, { signal: ac.signal }).then((r) => r.text()).catch(() => {}));
      }
      const open = await sessionCount(fast);
      assert.ok(open >= 1, `expected the polling sessions to be counted, got ${open}`);
      for (const ac of controllers) ac.abort();
      await withTimeout(Promise.all(pending), WAIT, "the aborted long-polls to settle");
      // nobody answers the pings: every session must go after ~pingInterval + pingTimeout
      await waitSessions(fast, (n) => n === 0, 10000, "the abandoned polling sessions to time out");
      const c = await openClient(fast, "/", { transports: ["polling"] });
      await assertEchoes(c);
    } finally {
      closeAllClients();
      await fast.stop();
    }
  });
});
