// Three Switchboard nodes, clients spread over them in several rooms: every message reaches every
// member of its room on every node exactly once and in order per sender, nobody else; rooms,
// members and history agree on every node.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Resources,
  TEST_TIMEOUT,
  WAIT,
  api,
  closeAllClients,
  eventually,
  join,
  messageStartingWith,
  openUser,
  send,
  waitLinked,
} from "./cluster-harness.mjs";

const res = new Resources();
let redis;
let nodes;

before(async () => {
  redis = await res.redis();
  nodes = [];
  for (const id of ["n1", "n2", "n3"]) nodes.push(await res.node({ redisUrl: redis.url, nodeId: id }));
  await waitLinked(redis, nodes);
});

after(async () => {
  closeAllClients();
  await res.close();
});

const PER_SENDER = 25;

test("every message reaches every member on every node once, in order per sender", { timeout: TEST_TIMEOUT * 2 }, async () => {
  // Users: u<node><k>; rooms: red (everyone), blue (k = 0 only), green (k = 1 only).
  const users = [];
  for (let n = 0; n < 3; n++) {
    for (let k = 0; k < 2; k++) {
      const name = `u${n}${k}`;
      const rooms = ["red", k === 0 ? "blue" : "green"];
      users.push({ name, node: n, rooms, socket: await openUser(nodes[n], name) });
    }
  }
  for (const u of users) for (const r of u.rooms) await join(u.socket, r);
  // Every pair of nodes linked: a probe from each node reaches a member on every other node.
  for (const from of users.filter((u) => u.name.endsWith("0"))) {
    for (const to of users.filter((u) => u.node !== from.node && u.name.endsWith("0"))) {
      await eventually(
        (i) => send(from.socket, "blue", `probe ${from.name} ${i}`),
        (ms) => to.socket.log.take(messageStartingWith(`probe ${from.name} `), ms, "a probe"),
        { what: `a probe from ${from.name} to ${to.name}` },
      );
    }
  }
  for (const u of users) u.socket.log.events.length = 0; // probes (and their copies) are not counted

  // Every user sends PER_SENDER messages to each of its rooms, all senders at once.
  await Promise.all(
    users.map(async (u) => {
      for (let i = 0; i < PER_SENDER; i++) {
        for (const r of u.rooms) await send(u.socket, r, `m ${u.name} ${r} ${i}`);
      }
    }),
  );
  for (const u of users) {
    const expected = users.flatMap((s) => s.rooms.filter((r) => u.rooms.includes(r)).map((r) => [s.name, r]));
    const total = expected.length * PER_SENDER;
    await eventually(
      () => {},
      async () => {
        const got = u.socket.log.events.filter((e) => e.event === "message" && e.args[0]?.text?.startsWith("m ")).length;
        assert.ok(got >= total, `${u.name} has ${got} of ${total}`);
      },
      { what: `all ${total} messages at ${u.name}`, ms: WAIT * 3, every: 100 },
    );
    const texts = u.socket.log.events.filter((e) => e.event === "message" && e.args[0]?.text?.startsWith("m ")).map((e) => e.args[0].text);
    assert.equal(texts.length, total, `${u.name}: duplicates or strays`);
    assert.equal(new Set(texts).size, total, `${u.name}: a message arrived twice`);
    for (const [sender, room] of expected) {
      const mine = texts.filter((t) => t.startsWith(`m ${sender} ${room} `)).map((t) => Number(t.split(" ")[3]));
      assert.deepEqual(mine, [...Array(PER_SENDER).keys()], `${u.name}: order of ${sender} in ${room}`);
    }
    for (const t of texts) assert.ok(u.rooms.includes(t.split(" ")[2]), `${u.name} got ${t} from a room it is not in`);
  }

  // Rooms, members and history agree on every node.
  const views = [];
  for (const n of nodes) {
    const rooms = (await api(n, "/api/rooms")).json.rooms.filter((r) => ["red", "blue", "green"].includes(r.room));
    const members = {};
    const history = {};
    for (const r of ["red", "blue", "green"]) {
      members[r] = (await api(n, `/api/rooms/${r}/members`)).json.members;
      history[r] = (await api(n, `/api/rooms/${r}/history?limit=200`)).json.messages.map((m) => [m.id, m.text]);
    }
    views.push({ rooms, members, history });
  }
  assert.deepEqual(views[1], views[0], "node 2 sees what node 1 sees");
  assert.deepEqual(views[2], views[0], "node 3 sees what node 1 sees");
  assert.deepEqual(views[0].members.red, users.map((u) => u.name).sort());
  assert.deepEqual(views[0].rooms, [
    { room: "blue", members: 3 },
    { room: "green", members: 3 },
    { room: "red", members: 6 },
  ]);
});
