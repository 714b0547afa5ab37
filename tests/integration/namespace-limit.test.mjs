// The library's per-client namespace limit (socketio::options::max_namespaces_per_client, the
// testbed's --max-namespaces): a CONNECT to one namespace more than the limit gets CONNECT_ERROR
// {"message":"Too many namespaces","data":{"limit":N}}; the connection and its other namespaces
// go on, and leaving a namespace frees its place. The testbed has "/" and "/admin" (auth
// {token:"secret"}). Its refusal counter (switchboard_namespaces_refused_total) is not visible
// here: the testbed has no /metrics.

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
} from "./harness.mjs";

const ADMIN_AUTH = { token: "secret" };

let server;
before(async () => {
  server = await startServer(["--max-namespaces", "1"]);
});
after(async () => {
  closeAllClients();
  closeAllRaw();
  await server?.stop();
});

for (const transport of ["websocket", "polling"]) {
  describe(`--max-namespaces 1 over ${transport}`, { timeout: TEST_TIMEOUT }, () => {
    afterEach(() => closeAllClients());

    test('a client in "/" is refused "/admin": connect_error "Too many namespaces" with data {limit: 1}', async () => {
      const main = await openClient(server, "/", { transports: [transport] });
      const admin = main.io.socket("/admin", { auth: ADMIN_AUTH }); // the same Engine.IO connection
      const [err] = await once(admin, "connect_error", WAIT, "connect_error on /admin");
      assert.equal(err.message, "Too many namespaces");
      assert.deepEqual(err.data, { limit: 1 });
      assert.equal(admin.connected, false);
      // the connection and its namespace go on
      assert.equal(main.connected, true);
      await assertEchoes(main);
    });

    test("the limit is per client: another connection may use the other namespace", async () => {
      const main = await openClient(server, "/", { transports: [transport] });
      const admin = await openClient(server, "/admin", { transports: [transport], auth: ADMIN_AUTH });
      assert.equal(admin.connected, true);
      assert.notEqual(admin.io, main.io);
      await assertEchoes(main);
    });
  });
}

describe("--max-namespaces 1, raw Socket.IO packets", { timeout: TEST_TIMEOUT }, () => {
  afterEach(() => closeAllRaw());

  test("CONNECT_ERROR is the exact packet; after leaving \"/\" the same connection may join \"/admin\"", async () => {
    const { ws } = await openRawSession(server); // "/" connected
    ws.send(`40/admin,${JSON.stringify(ADMIN_AUTH)}`);
    assert.equal(
      await ws.nextText(WAIT, "the answer to CONNECT /admin"),
      '44/admin,{"message":"Too many namespaces","data":{"limit":1}}',
    );
    ws.send("41"); // DISCONNECT "/"
    ws.send(`40/admin,${JSON.stringify(ADMIN_AUTH)}`);
    const connected = await ws.nextText(WAIT, "the answer to CONNECT /admin after leaving /");
    assert.match(connected, /^40\/admin,\{"sid":"/, `expected a CONNECT to /admin, got ${connected}`);
    const welcome = await ws.nextText(WAIT, "the welcome of /admin");
    assert.match(welcome, /^42\/admin,\["welcome"/);
    // and now "/" is the one too many
    ws.send("40");
    assert.equal(
      await ws.nextText(WAIT, "the answer to CONNECT / while in /admin"),
      '44{"message":"Too many namespaces","data":{"limit":1}}',
    );
  });
});
