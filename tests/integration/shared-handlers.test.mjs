// Event handlers a namespace's sockets share (namespace_::on_socket_event, on_socket_disconnect,
// socket::set_context), the testbed's "/shared": one handler serves every socket with its own
// state; a socket's own handler for the same event wins; the shared disconnect handler runs for
// each socket that leaves.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WAIT, closeAllClients, connectClient, startServer, withTimeout } from "./harness.mjs";

let server;
before(async () => {
  server = await startServer([]);
});
after(async () => {
  closeAllClients();
  await server?.stop();
});

async function openShared(name, opts = {}) {
  const s = connectClient(server, "/shared", { transports: ["websocket"], ...opts }, name);
  await withTimeout(
    new Promise((resolve, reject) => {
      s.once("connect", resolve);
      s.once("connect_error", reject);
    }),
    WAIT,
    `${name} to connect to /shared`,
  );
  return s;
}

const count = (s) => withTimeout(s.emitWithAck("count"), WAIT, `the ack of "count" from ${s.log.name}`);

test("one shared handler keeps each socket's own state; a socket's own handler wins", async () => {
  const a = await openShared("a");
  const b = await openShared("b");
  const own = await openShared("own", { auth: { own: true } });
  assert.equal(await count(a), 1);
  assert.equal(await count(a), 2);
  assert.equal(await count(b), 1, "b counts apart from a");
  assert.equal(await count(a), 3);
  assert.equal(await count(own), "own");
  assert.equal(await count(own), "own");
});

test("the shared disconnect handler runs for each socket that leaves", async () => {
  const stays = await openShared("stays");
  const leaves = await openShared("leaves");
  const id = leaves.id;
  leaves.disconnect();
  const ev = await stays.log.take((e) => e.event === "left" && e.args[0] === id, WAIT, "the left event");
  assert.deepEqual(ev.args, [id, "client namespace disconnect"]);
});
