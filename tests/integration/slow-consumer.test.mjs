// A client that stops reading cannot hurt the others. Three members of a room read normally; a
// fourth, a raw WebSocket client, stops reading from its socket. 20,000 broadcasts of 1 KB go to
// the room, 32 every 10 ms. Every reading member gets all of them, in order, and stays connected;
// the slow one is disconnected once its send queue passes --send-queue-limit (after the kernel's
// buffers filled), with a close frame 1008 that says why, and the server's memory stays bounded.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
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
// The inode of the server's TCP socket from `serverPort` to the client's `clientPort`.
function serverSideInode(serverPort, clientPort) {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const port = (addr) => parseInt(addr.split(":").at(-1), 16);
      if (port(f[1]) === serverPort && port(f[2]) === clientPort) return f[9];
    }
  }
  return undefined;
}

function holdsSocket(pid, inode) {
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
    } catch {
      return false; // closed meanwhile
    }
  });
}

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
  // It goes on writing, before and after the server gives up on it: what it sends after the close
  // frame is read and dropped, so that closing the socket does not reset the connection (a reset
  // can destroy the close frame before the client has read it).
  const chatter = () => slow.sendText('42["noop"]');
  for (let i = 0; i < 20; i++) chatter();
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
  for (let i = 0; i < 20; i++) chatter();
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

test("a client that never reads again is cut off 10 s after its close frame", { timeout: 60000 }, async () => {
  const reader = await openClient(server, "/", { transports: ["websocket"] }, "r");
  assert.equal(await withTimeout(reader.emitWithAck("join", "stuck"), WAIT, "join"), true);
  const stuck = await new RawFrameSocket(server).connect();
  await stuck.handshake();
  stuck.sendText('421["join","stuck"]');
  assert.equal(await stuck.nextText(WAIT, "the join ack"), "431[true]");
  stuck.sock.pause(); // for good
  const sessions = await sessionCount(server);
  const sent = withTimeout(
    reader.emitWithAck("flood", { room: "stuck", count: COUNT, size: SIZE, every: 10 }),
    30000,
    "the server to send every message",
  );
  const received = receiveAll(reader, COUNT);
  assert.equal(await sent, true);
  await waitSessions(server, (n) => n === sessions - 1, 10000, "the stuck client's session to end");
  const ended = Date.now();
  // The close frame cannot go out (the kernel's buffers are full); the close timeout closes the
  // server's socket. A client that does not read cannot see that, so the test watches the server's
  // descriptor of that connection. The bound on this wait is the timeout plus margin.
  const inode = serverSideInode(server.port, stuck.sock.localPort);
  assert.ok(inode, "the server's socket of the stuck connection");
  assert.ok(holdsSocket(server.pid, inode), "the server still holds it when the session ends");
  while (holdsSocket(server.pid, inode) && Date.now() - ended < 20000) await new Promise((r) => setTimeout(r, 100));
  assert.equal(holdsSocket(server.pid, inode), false, "the stuck connection is closed within 20 s");
  assert.equal(stuck.closeFrame, null, "the client never read its close frame");
  assert.equal(await withTimeout(received, 30000, "every message"), COUNT);
});
