// The server API's routes about sockets across a cluster, in both Redis modes (classic Pub/Sub
// and sharded): two Switchboard chat nodes A and B on one Redis, the request made to A, the
// sockets on both. An emit to a user reaches its sockets on every node; acknowledgements are
// collected from both nodes; a user is disconnected on every node at once; a join made on A puts
// a socket of B in the room; GET /api/sockets lists both nodes' sockets with their node.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  eventually,
  join,
  openUser,
  send,
  uniqueRoom,
  waitLinked,
} from "./cluster-harness.mjs";

for (const mode of ["classic", "sharded"]) {
  describe(`the server API across two nodes (${mode})`, { timeout: 60000 }, () => {
    const res = new Resources();
    let redis;
    let A;
    let B;
    let N;
    before(async () => {
      redis = await res.redis();
      const args = ["--redis-mode", mode];
      A = await res.node({ redisUrl: redis.url, nodeId: `a-${mode}`, args });
      B = await res.node({ redisUrl: redis.url, nodeId: `b-${mode}`, args });
      N = await res.peer({ redisUrl: redis.url, mode });
      await waitLinked(redis, [A, B], 3, { sharded: mode === "sharded" });
    });
    after(async () => {
      closeAllClients();
      await res.close();
    });
    afterEach(() => closeAllClients());

    test("emit to a user reaches its sockets on both nodes", { timeout: TEST_TIMEOUT }, async () => {
      const onA = await openUser(A, "ada");
      const onB = await openUser(B, "ada");
      await eventually(
        () => api(A, "/api/emit", { json: { to: { user: "ada" }, event: "note", data: 1 } }),
        () => onB.log.take("note", 500, "the note on B"),
        { what: "the emit to reach node B" },
      );
      await onA.log.take("note", WAIT, "the note on A");
    });

    test("ack_timeout_ms collects the answers of both nodes; a silent client is counted", { timeout: TEST_TIMEOUT }, async () => {
      const room = uniqueRoom("ask");
      const ada = await openUser(A, "ada");
      const bob = await openUser(B, "bob");
      const cy = await openUser(B, "cy");
      for (const s of [ada, bob, cy]) await join(s, room);
      ada.on("q", (reply) => reply("from A"));
      bob.on("q", (reply) => reply("from B"));
      cy.on("q", () => {}); // silent
      const r = await api(A, "/api/emit", { json: { to: { room }, event: "q", ack_timeout_ms: 1000 }, timeout: 8000 });
      assert.equal(r.status, 200, r.text);
      const acks = r.json.acks.map((a) => [a.user, a.socket, a.reply]).sort();
      assert.deepEqual(acks, [["ada", ada.id, "from A"], ["bob", bob.id, "from B"]]);
      assert.equal(r.json.timed_out, 1);
    });

    test("disconnect a user on every node at once", { timeout: TEST_TIMEOUT }, async () => {
      const sockets = [await openUser(A, "eve"), await openUser(B, "eve"), await openUser(B, "eve")];
      const other = await openUser(B, "fay");
      const gone = sockets.map((s) => new Promise((resolve) => s.once("disconnect", resolve)));
      const r = await api(A, "/api/disconnect", { json: { user: "eve" }, timeout: 8000 });
      assert.deepEqual(r.json, { ok: true, disconnected: 3 });
      assert.deepEqual(await Promise.all(gone), Array(3).fill("io server disconnect"));
      assert.equal(other.connected, true);
    });

    test("an idempotency key used on A is a repeat on B", { timeout: TEST_TIMEOUT }, async () => {
      const room = uniqueRoom("idem");
      const ivy = await openUser(A, "ivy");
      await join(ivy, room);
      const key = `key-${room}`;
      const first = await api(A, "/api/publish", { json: { room, event: "once", data: "A", idempotency_key: key } });
      assert.deepEqual(first.json, { ok: true });
      await ivy.log.take("once", WAIT, "the first publish");
      const again = await api(B, "/api/publish", { json: { room, event: "once", data: "B", idempotency_key: key } });
      assert.deepEqual(again.json, { ok: true }, "answered as the first time");
      // B's publish of the mark goes the way its repeat would have: it arrives, the repeat did not.
      await eventually(
        () => api(B, "/api/publish", { json: { room, event: "mark" } }),
        () => ivy.log.take("mark", 500, "a publish from B"),
        { what: "a publish from B to reach A" },
      );
      assert.equal(ivy.log.events.filter((e) => e.event === "once").length, 0, "the repeat was not published");
    });

    test("a Node.js server's socket in user:<user> is reached, listed, asked and disconnected through A", { timeout: TEST_TIMEOUT }, async () => {
      const nia = await openUser(N, "nia");
      // What a Node application following the chat contract does for its user.
      const serverSide = N.io.of("/").sockets.get(nia.id);
      serverSide.data = { user: "nia" };
      serverSide.join("user:nia");
      nia.on("q", (reply) => reply("from Node"));
      await eventually(
        () => api(A, "/api/emit", { json: { to: { user: "nia" }, event: "note", data: "via A" } }),
        () => nia.log.take("note", 500, "the note on the Node server"),
        { what: "the emit to reach the Node server" },
      );
      const asked = await api(A, "/api/emit", { json: { to: { user: "nia" }, event: "q", ack_timeout_ms: 1000 }, timeout: 8000 });
      assert.deepEqual(asked.json.acks, [{ socket: nia.id, user: "nia", reply: "from Node" }]);
      const listed = await api(A, "/api/sockets?user=nia", { timeout: 8000 });
      assert.deepEqual(listed.json.sockets.map((x) => [x.id, x.user, x.node]), [[nia.id, "nia", ""]]);
      const gone = new Promise((resolve) => nia.once("disconnect", resolve));
      const r = await api(A, "/api/disconnect", { json: { user: "nia" }, timeout: 8000 });
      assert.deepEqual(r.json, { ok: true, disconnected: 1 });
      assert.equal(await gone, "io server disconnect");
    });

    test("a join made on A puts B's socket in the room; GET /api/sockets on A lists both nodes", { timeout: TEST_TIMEOUT }, async () => {
      const room = uniqueRoom("moved");
      const gus = await openUser(B, "gus");
      const hal = await openUser(A, "hal");
      await join(hal, room);
      const r = await api(A, "/api/join", { json: { user: "gus", room }, timeout: 8000 });
      assert.deepEqual(r.json, { ok: true, sockets: 1 });
      await eventually(
        () => send(hal, room, "to gus"),
        () => gus.log.take((e) => e.event === "message" && e.args[0].text === "to gus", 500, "the message on B"),
        { what: "gus to be in the room" },
      );
      const listed = await api(A, `/api/sockets?room=${encodeURIComponent(room)}`, { timeout: 8000 });
      const rows = listed.json.sockets.map((s) => [s.user, s.node, s.rooms]).sort();
      assert.deepEqual(rows, [["gus", `b-${mode}`, [room]], ["hal", `a-${mode}`, [room]]]);
      const members = await api(A, `/api/rooms/${room}/members`);
      assert.deepEqual(members.json.members, ["gus", "hal"], "presence followed the API's join");
    });
  });
}
