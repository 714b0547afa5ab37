// History survives a restart: messages stored in --data-dir are there after SIGTERM (exit 0) and
// a new start on the same folder, and message ids go on increasing. Also the documented start-up
// exit codes: 2 for a bad flag value, 1 when the data folder cannot be opened.

import assert from "node:assert/strict";
import httpModule from "node:http";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import {
  WAIT,
  ack,
  api,
  closeAllClients,
  freshDataDir,
  join,
  openUser,
  runToExit,
  send,
  startChat,
  uniqueRoom,
  withTimeout,
} from "./chat-harness.mjs";

describe("restart with the same --data-dir", { timeout: 30000 }, () => {
  const dataDir = freshDataDir();
  let server;
  after(async () => {
    closeAllClients();
    try {
      await server?.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("SIGTERM exits 0 within 5 s; after a restart the history is there and ids keep increasing", async () => {
    const room = uniqueRoom("durable");
    const other = uniqueRoom("durable-other");
    server = await startChat(["--rate-limit", "0", "--event-rate-limit", "0"], { dataDir });
    const ada = await openUser(server, "ada");
    await join(ada, room);
    await join(ada, other);
    const sent = [];
    for (let i = 0; i < 3; i++) {
      const id = await send(ada, room, `before restart ${i} ✓`);
      const ev = await ada.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "broadcast");
      sent.push(ev.args[0]);
    }
    const otherId = await send(ada, other, "in the other room");

    // stop: SIGTERM, exit code 0 within 5 s (stop() falls back to SIGKILL after 5 s)
    const t0 = Date.now();
    const exit = await withTimeout(server.stop(), 11000, "the server to stop");
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM: ${JSON.stringify(exit)}`);
    assert.ok(Date.now() - t0 <= 5000, `took ${Date.now() - t0} ms to exit`);
    closeAllClients();

    server = await startChat(["--rate-limit", "0", "--event-rate-limit", "0"], { dataDir });
    const bob = await openUser(server, "bob");
    const res = await ack(bob, "join", room);
    assert.deepEqual(res, { ok: true, room, history: sent, members: ["bob"] }, "join returns the stored history");
    const h = await ack(bob, "history", { room });
    assert.deepEqual(h, { ok: true, messages: [...sent].reverse() });
    const viaHttp = await api(server, `/api/rooms/${encodeURIComponent(room)}/history`);
    assert.equal(viaHttp.status, 200, viaHttp.text);
    assert.deepEqual(viaHttp.json, { room, messages: [...sent].reverse() });

    const newId = await send(bob, room, "after restart");
    assert.ok(newId > sent[2].id, `new id ${newId} > last id before the restart ${sent[2].id}`);
    await join(bob, other);
    const newOther = await send(bob, other, "after restart too");
    assert.ok(newOther > otherId, `other room: new id ${newOther} > ${otherId}`);
    const h2 = await ack(bob, "history", { room, limit: 2 });
    assert.deepEqual(
      h2.messages.map((m) => [m.id, m.text, m.user]),
      [
        [newId, "after restart", "bob"],
        [sent[2].id, sent[2].text, "ada"],
      ],
    );
  });
});

describe("SIGTERM drain", { timeout: 20000 }, () => {
  test("clients on both transports see their transport close (so they reconnect), not a server disconnect", async () => {
    const server = await startChat([]);
    try {
      const ws = await openUser(server, "ada");
      const polling = await openUser(server, "bob", { transports: ["polling"] });
      const reasons = Promise.all(
        [ws, polling].map((s) =>
          // The default --drain-time (5 s) spreads the two over it: one now, one about half-way.
          withTimeout(new Promise((resolve) => s.once("disconnect", resolve)), 8000, `${s.log.name}'s disconnect`),
        ),
      );
      const exit = server.stop();
      assert.deepEqual(await reasons, ["transport close", "transport close"]);
      assert.deepEqual(await withTimeout(exit, 10000, "the server to exit"), { code: 0, signal: null });
    } finally {
      closeAllClients();
    }
  });
});

describe("SIGTERM drain in batches (--drain-time 2000)", { timeout: 30000 }, () => {
  test("20 clients are told to go over the drain time, not all at once; new sessions are refused meanwhile", async () => {
    const server = await startChat(["--drain-time", "2000", "--threads", "2"]);
    try {
      const clients = [];
      for (let i = 0; i < 20; i++) clients.push(await openUser(server, `u${i}`));
      const stillConnectedAtFirst = [];
      const gone = clients.map((c) =>
        withTimeout(
          new Promise((resolve) =>
            c.once("disconnect", (reason) => {
              stillConnectedAtFirst.push(clients.filter((o) => o.connected).length);
              resolve({ reason, at: Date.now() });
            }),
          ),
          10000,
          `${c.log.name}'s disconnect`,
        ),
      );
      server.signal("SIGTERM");
      const first = await Promise.race(gone);
      // While the others are still being drained, a new session is refused.
      const refused = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`).catch(() => null);
      const ends = await Promise.all(gone);
      assert.ok(
        stillConnectedAtFirst[0] >= 10,
        `when the first client went, ${stillConnectedAtFirst[0]} of 20 were still connected (batches, not all at once)`,
      );
      const span = Math.max(...ends.map((e) => e.at)) - first.at;
      // The server closes the last batch no sooner than its timer allows: about 1.9 s here.
      assert.ok(span >= 1000, `the disconnects spread over ${span} ms of the 2000 ms drain`);
      assert.deepEqual(new Set(ends.map((e) => e.reason)), new Set(["transport close"]));
      if (refused) assert.equal(refused.status, 503, "a new session while draining");
      assert.deepEqual(await withTimeout(server.stop(), 6000, "the server to exit"), { code: 0, signal: null });
    } finally {
      closeAllClients();
    }
  });
});

describe("draining", { timeout: 20000 }, () => {
  test("after SIGTERM /healthz and the API answer 503 on a connection opened before", async () => {
    const server = await startChat([]);
    const agent = new httpModule.Agent({ keepAlive: true, maxSockets: 1 }); // one reused connection
    const get = (p) =>
      new Promise((resolve, reject) => {
        const req = httpModule.get(`${server.url}${p}`, { agent, timeout: WAIT }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("timeout")));
      });
    try {
      assert.equal((await get("/healthz")).status, 200);
      server.signal("SIGTERM");
      // The node drains for a moment before it exits: ask until it says 503 or the connection ends.
      let seen = null;
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        const r = await get("/healthz").catch(() => null);
        if (!r) break;
        if (r.status === 503) {
          seen = r;
          break;
        }
      }
      assert.ok(seen, "no 503 while draining");
      assert.equal(JSON.parse(seen.body).status, "draining");
      const api = await get("/api/rooms").catch(() => null);
      if (api) {
        assert.equal(api.status, 503);
        assert.equal(JSON.parse(api.body).error, "draining");
      }
      // A new Socket.IO session is refused, so that a proxy or the client goes to another node.
      const handshake = await get("/socket.io/?EIO=4&transport=polling").catch(() => null);
      if (handshake) {
        assert.equal(handshake.status, 503, handshake.body);
        assert.equal(JSON.parse(handshake.body).error, "draining");
      }
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});

describe("start-up exit codes", { timeout: 20000 }, () => {
  for (const [flag, value] of [
    ["--rate-limit", "fast"],
    ["--api-rate-limit", "-1:x"],
    ["--max-text", "0"],
  ]) {
    test(`${flag} ${value} → exit 2, the message names the flag`, async () => {
      const dir = freshDataDir();
      try {
        const { code, output } = await runToExit(["--host", "127.0.0.1", "--port", "0", "--data-dir", dir, flag, value]);
        assert.equal(code, 2, `exit code (output: ${output})`);
        assert.ok(output.includes(flag.slice(2)), `the message names ${flag}: ${output}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("a --data-dir that cannot be opened (a regular file) → exit 1", async () => {
    const dir = freshDataDir();
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "x");
    try {
      const { code, output } = await runToExit(["--host", "127.0.0.1", "--port", "0", "--data-dir", file]);
      assert.equal(code, 1, `exit code (output: ${output})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
