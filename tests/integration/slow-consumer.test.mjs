// A client that stops reading cannot hurt the others. Three members of a room read normally; a
// fourth, a raw WebSocket client, stops reading from its socket. 20,000 broadcasts of 1 KB go to
// the room, 32 every 10 ms. Every reading member gets all of them, in order, and stays connected;
// the slow one is disconnected once its send queue passes --send-queue-limit (after the kernel's
// buffers filled), with a close frame 1008 that says why, and the server's memory stays bounded.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import {
  RawFrameSocket,
  WAIT,
  closeAllClients,
  closeAllRaw,
  openClient,
  serverBinary,
  sessionCount,
  startServer,
  waitSessions,
  withTimeout,
} from "./harness.mjs";

const COUNT = 20000;
const SIZE = 1024;
const LIMIT = 4 << 20; // a send queue may hold 4 MiB
const SANITIZED = serverBinary().includes("/asan/"); // the CI's ASan + UBSan run

let server;
before(async () => {
  server = await startServer(["--send-queue-limit", String(LIMIT), "--threads", "2"]);
});
afterEach(() => {
  closeAllClients();
  closeAllRaw();
});
after(() => server?.stop());

function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m[1]) * 1024;
}

// Resolves with the first argument of `count` "m" events once all came, checking their order.
function receiveAll(socket, count) {
  return new Promise((resolve, reject) => {
    let next = 0;
    socket.on("m", (i, payload) => {
      if (i !== next || payload.length !== SIZE) {
        reject(new Error(`${socket.log.name}: got message ${i} (${payload.length} bytes), expected ${next}`));
      }
      if (++next === count) resolve(next);
    });
  });
}

test("a client that stops reading is dropped; the others get every message in order", { timeout: 60000 }, async () => {
  const readers = [];
  for (const name of ["r1", "r2", "r3"]) {
    const s = await openClient(server, "/", { transports: ["websocket"] }, name);
    assert.equal(await withTimeout(s.emitWithAck("join", "flood"), WAIT, "join"), true);
    readers.push(s);
  }
  const slow = await new RawFrameSocket(server).connect();
  await slow.handshake();
  slow.sendText('421["join","flood"]');
  assert.equal(await slow.nextText(WAIT, "the join ack"), "431[true]");
  slow.sock.pause(); // stops reading: the kernel's buffers fill, then the server's queue
  const sessions = await sessionCount(server);
  const rssBefore = rssBytes(server.pid);

  const all = readers.map((s) => receiveAll(s, COUNT));
  const sent = withTimeout(
    readers[0].emitWithAck("flood", { room: "flood", count: COUNT, size: SIZE, every: 10 }),
    30000,
    "the server to send every message",
  );
  assert.equal(await sent, true);
  await waitSessions(server, (n) => n === sessions - 1, 10000, "the slow client's session to end");
  // Reading again, it gets what the kernel held, then a close frame that says why (the server
  // waits a few seconds for it to go out before it cuts the connection).
  slow.sock.resume();
  await slow.waitTcpClose(15000, "the slow client's connection to be closed");
  assert.deepEqual(slow.closeFrame, {
    code: 1008,
    reason: "send queue over its limit: the client reads too slowly",
  });

  const counts = await withTimeout(Promise.all(all), 30000, `every reader to get ${COUNT} messages`);
  assert.deepEqual(counts, [COUNT, COUNT, COUNT]);

  // AddressSanitizer keeps freed memory in quarantine (256 MiB by default): the bound holds for an
  // unsanitized server only.
  if (!SANITIZED) {
    const grown = rssBytes(server.pid) - rssBefore;
    assert.ok(grown < 64 * 1024 * 1024, `the server grew by ${(grown / 1048576).toFixed(1)} MiB`);
  }
  for (const s of readers) assert.equal(s.connected, true, `${s.log.name} is still connected`);
});
