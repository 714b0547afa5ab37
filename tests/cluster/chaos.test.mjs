// Chaos, bounded: three chat nodes behind nginx (deploy/nginx/switchboard.conf) on one Redis, steady
// chat traffic in one room, then `kill -9` of one node, a few network blips, and a Redis restart.
// Every message acknowledged {ok:true, id} to its sender must be in the room's history, and must
// have reached every member who stayed connected or whose reconnection was recovered, exactly
// once and in per-sender order. One JSON line (`chaos report {...}`) reports the counts.
//
// The deployment it models: in a cluster the chat history lives in Redis (docs/cluster.md), so the
// Redis of a real deployment keeps it on disk. This one runs with an append-only file and
// `appendfsync always`: what Redis acknowledged survives its restart. (A Redis without persistence
// legitimately forgets the history, and the per-room id counter with it, on a restart.)
//
// What the product promises, and therefore what is asserted, versus reported only:
// - While Redis is away a message cannot be stored: it is refused `unavailable`, never acknowledged
//   (docs/design.md#bad-input-and-limits, docs/cluster.md "Faults"). Those are counted as refused, not required anywhere.
// - A node killed with SIGKILL never writes the recovery sessions of its sockets (a session is
//   kept when its transport drops, by the node that held it), so its clients come back through
//   nginx to a live node as new sockets (`recovered` false), as with Node's adapter. They join
//   again; what they got is reported, not required. Messages in flight on the dead node get no
//   acknowledgement (counted as timed out) and are not required either.
// - Members of live nodes whose transport drops while Redis is up reconnect recovered
//   (docs/reliability.md): that is asserted, and they are held to the full guarantee.
//
// Users route through nginx with their own sb_route cookie, chosen so that each node starts with
// the same number of users. Every wait is bounded and waits for events (acks, deliveries,
// connections, /healthz states); the send timers only generate traffic.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { startNginx } from "../lib/nginx-process.mjs";
import { http } from "../lib/server-process.mjs";
import {
  LINK_WAIT,
  Resources,
  WAIT,
  ack,
  closeAllClients,
  connectUser,
  startSwitchboard,
  waitConnected,
  waitLinked,
  waitRedisState,
  withTimeout,
} from "./cluster-harness.mjs";

const ROOM = "chaos";
// Requests through nginx are never local (X-Forwarded-For), so the API needs the nodes' key.
const API_KEY = "chaos-key";
const NODE_IDS = ["n1", "n2", "n3"];
const VICTIM = "n2"; // killed with SIGKILL
const USERS_PER_NODE = 4; // the first SENDERS_PER_NODE of them send
const SENDERS_PER_NODE = 2;
const SEND_EVERY_MS = 100; // per sender: 60 messages a second in all
const ACK_TIMEOUT = 3000; // a message unanswered by then counts as timed out
const RECONNECT_DELAY = 300; // socket.io-client's reconnectionDelay (max: twice that)
const PHASE_ACKS = 120; // acknowledged messages each phase waits for before the next fault
const OUTAGE_REFUSALS = 60; // refused messages Redis stays away for (about a second of traffic)
const SETTLE = 10000; // bound for the last deliveries after the traffic stopped
const TEST_BOUND = 60000;

const res = new Resources();
let redis;
const nodes = new Map(); // node id -> server
let nginx;
const members = [];
const t0 = Date.now();
const now = () => Date.now() - t0;
const marks = {}; // phase -> ms since t0

// ---------------------------------------------------------------------------------------------
// Waiting for a condition on the test's own state, woken by every event that changes it.
// ---------------------------------------------------------------------------------------------

const watchers = new Set();
function notify() {
  for (const w of [...watchers]) {
    if (w.pred()) {
      watchers.delete(w);
      w.resolve();
    }
  }
}
async function until(pred, ms, what, state = () => "") {
  if (pred()) return;
  let w;
  const p = new Promise((resolve) => {
    w = { pred, resolve };
    watchers.add(w);
  });
  try {
    await withTimeout(p, ms, what);
  } catch (err) {
    err.message += `; ${state()}`;
    throw err;
  } finally {
    watchers.delete(w);
  }
}

// ---------------------------------------------------------------------------------------------
// Members and traffic
// ---------------------------------------------------------------------------------------------

// One user through nginx: its socket, what it received, and its connection history.
class Member {
  constructor(name, nodeId, route, sender) {
    Object.assign(this, { name, nodeId, route, sender });
    this.seq = 0; // of its own messages
    this.joined = false; // a member of ROOM now (sends only then)
    this.connects = 0;
    this.disconnects = []; // { at, reason }
    this.reconnects = []; // { at, recovered }
    this.rejoinedAt = undefined; // after a reconnection that was not recovered
    this.received = []; // message payloads, in arrival order
    this.socket = connectUser(
      { url: nginx.url },
      name,
      {
        reconnection: true,
        reconnectionDelay: RECONNECT_DELAY,
        reconnectionDelayMax: 2 * RECONNECT_DELAY,
        extraHeaders: { cookie: `sb_route=${route}` },
      },
      name,
    );
    const s = this.socket;
    s.on("message", (msg) => {
      this.received.push(msg);
      notify();
    });
    s.on("disconnect", (reason) => {
      this.disconnects.push({ at: now(), reason });
      notify();
    });
    s.on("connect", () => {
      if (++this.connects === 1) return; // the first: joined by the set-up
      this.reconnects.push({ at: now(), recovered: s.recovered });
      if (!s.recovered) {
        // A new socket: no longer in the room. It joins again, as the chat page does.
        this.joined = false;
        ack(s, "join", ROOM)
          .then((r) => {
            if (r?.ok === true && s.connected) {
              this.joined = true;
              this.rejoinedAt = now();
            }
          })
          .catch(() => {})
          .finally(notify);
      }
      notify();
    });
  }
  // "stayed": never disconnected; "recovered": every reconnection recovered; else "new socket".
  kind() {
    if (this.disconnects.length === 0) return "stayed";
    if (this.reconnects.length === this.disconnects.length && this.reconnects.every((r) => r.recovered))
      return "recovered";
    return "new socket";
  }
  required() {
    return this.kind() !== "new socket";
  }
}

// Steady traffic: every sender emits one message every SEND_EVERY_MS while it is connected and in
// the room, with an acknowledgement bounded by ACK_TIMEOUT. Each message is recorded with its fate.
class Traffic {
  constructor() {
    this.records = []; // { user, seq, text, sentAt, state: pending|acked|refused|timeout, id, error }
    this.acked = 0;
    this.skipped = 0; // ticks of a sender that was disconnected or not (yet again) in the room
    this.timers = [];
    this.pending = new Set();
  }
  start(senders) {
    for (const m of senders) this.timers.push(setInterval(() => this.tick(m), SEND_EVERY_MS));
  }
  tick(m) {
    if (!m.socket.connected || !m.joined) {
      this.skipped++;
      return;
    }
    const seq = ++m.seq;
    const rec = { user: m.name, seq, text: `${m.name} #${seq}`, sentAt: now(), state: "pending" };
    this.records.push(rec);
    const p = m.socket
      .timeout(ACK_TIMEOUT)
      .emitWithAck("message", { room: ROOM, text: rec.text })
      .then(
        (r) => {
          rec.answeredAt = now();
          if (r?.ok === true) {
            rec.state = "acked";
            rec.id = r.id;
            this.acked++;
          } else {
            rec.state = "refused";
            rec.error = r?.error ?? JSON.stringify(r);
          }
        },
        () => {
          rec.state = "timeout";
        },
      )
      .finally(() => {
        this.pending.delete(p);
        notify();
      });
    this.pending.add(p);
  }
  async stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await withTimeout(Promise.all([...this.pending]), ACK_TIMEOUT + WAIT, "the last acknowledgements");
  }
  count(state, error) {
    return this.records.filter((r) => r.state === state && (error === undefined || r.error === error)).length;
  }
}

const traffic = new Traffic();

// Waits for `n` more acknowledged messages.
function moreAcks(n, what) {
  const target = traffic.acked + n;
  return until(
    () => traffic.acked >= target,
    15000,
    `${n} more acknowledged messages (${what})`,
    () => `acked ${traffic.acked}/${target}, ${JSON.stringify(countsByState())}`,
  );
}

function countsByState() {
  const out = {};
  for (const r of traffic.records) {
    const k = r.state === "refused" ? `refused:${r.error}` : r.state;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Through nginx
// ---------------------------------------------------------------------------------------------

// The node nginx sends the sb_route `route` to, as /healthz names it.
async function nodeOfRoute(route) {
  const r = await http(`${nginx.url}/healthz`, { timeout: WAIT, headers: { cookie: `sb_route=${route}` } });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text).node;
}

// `perNode` routing keys for every node: random keys, kept for the node nginx hashes them to.
async function routesPerNode(perNode) {
  const routes = new Map(NODE_IDS.map((id) => [id, []]));
  for (let attempt = 0; attempt < 400; attempt++) {
    if ([...routes.values()].every((r) => r.length >= perNode)) return routes;
    const route = randomBytes(16).toString("hex");
    const list = routes.get(await nodeOfRoute(route));
    if (list.length < perNode) list.push(route);
  }
  throw new Error(`no ${perNode} routing keys per node in 400 tries: ${JSON.stringify([...routes])}`);
}

// The whole stored history of ROOM through nginx's API, paged 200 at a time: id -> message.
async function wholeHistory() {
  const byId = new Map();
  let before;
  for (let page = 0; page < 100; page++) {
    const q = `limit=200${before === undefined ? "" : `&before=${before}`}`;
    const r = await http(`${nginx.url}/api/rooms/${ROOM}/history?${q}`, {
      timeout: WAIT,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(r.status, 200, `history page ${page}: ${r.status} ${r.text}`);
    const { messages } = JSON.parse(r.text);
    if (messages.length === 0) return byId;
    for (const m of messages) {
      assert.ok(!byId.has(m.id), `history lists id ${m.id} twice`);
      byId.set(m.id, m);
    }
    before = Math.min(...messages.map((m) => m.id));
  }
  throw new Error("history has more than 100 pages");
}

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

before(async () => {
  redis = await res.redis({ persistent: true });
  for (const id of NODE_IDS) {
    // nginx rate-limits the API per client address; the nodes only ever see nginx's address
    const opts = { redisUrl: redis.url, nodeId: id, args: ["--api-rate-limit", "0", "--api-key", API_KEY] };
    if (id === VICTIM) {
      const node = await startSwitchboard(opts);
      res.add(() => node.stop().catch(() => {})); // killed on purpose: its early exit is expected
      nodes.set(id, node);
    } else {
      nodes.set(id, await res.node(opts));
    }
  }
  await waitLinked(redis, [...nodes.values()]);
  nginx = await startNginx({ upstreamPorts: [...nodes.values()].map((n) => n.port) });
  res.add(() => nginx.stop());
});

after(async () => {
  closeAllClients();
  await res.close();
});

// ---------------------------------------------------------------------------------------------
// The scenario
// ---------------------------------------------------------------------------------------------

// Steady traffic, kill -9, blips, Redis restart, quiet. Returns the users whose transport was
// dropped on a live node.
async function runScenario() {
  const routes = await routesPerNode(USERS_PER_NODE);
  for (const id of NODE_IDS) {
    routes.get(id).forEach((route, k) => members.push(new Member(`${id}-${k}`, id, route, k < SENDERS_PER_NODE)));
  }
  await Promise.all(members.map((m) => waitConnected(m.socket)));
  for (const m of members) {
    const r = await ack(m.socket, "join", ROOM);
    assert.equal(r?.ok, true, `${m.name} joins: ${JSON.stringify(r)}`);
    m.joined = true;
  }
  marks.joined = now();

  // 1. Steady traffic.
  traffic.start(members.filter((m) => m.sender));
  await moreAcks(PHASE_ACKS, "steady traffic");

  // 2. kill -9 of one node: its users come back through nginx on the others and join again.
  const victims = members.filter((m) => m.nodeId === VICTIM);
  marks.kill = now();
  nodes.get(VICTIM).signal("SIGKILL");
  await until(
    () => victims.every((m) => m.reconnects.length > 0 && m.joined),
    15000,
    `the users of the killed ${VICTIM} back in the room through nginx`,
    () => JSON.stringify(victims.map((m) => [m.name, m.disconnects, m.reconnects, m.joined])),
  );
  marks.victimsBack = now();
  await moreAcks(PHASE_ACKS, "after the kill");

  // 3. Network blips on live nodes while Redis is up: a sender and a listener lose their transport
  // (no goodbye) and come back, recovered.
  const blipped = [
    members.find((m) => m.nodeId !== VICTIM && m.sender),
    members.find((m) => m.nodeId !== VICTIM && !m.sender),
  ];
  marks.blip = now();
  for (const m of blipped) m.socket.io.engine.close();
  await until(
    () => blipped.every((m) => m.reconnects.length > 0 && m.joined),
    10000,
    "the blipped users back",
    () => JSON.stringify(blipped.map((m) => [m.name, m.disconnects, m.reconnects, m.joined])),
  );
  marks.blipBack = now();
  await moreAcks(PHASE_ACKS, "after the blips");

  // 4. Redis restart: messages are refused `unavailable` while it is away; it comes back with its
  // append-only file on the same port, and the nodes link again.
  const live = [...nodes.values()].filter((n) => n.nodeId !== VICTIM);
  marks.redisStop = now();
  await redis.stop();
  await Promise.all(live.map((n) => waitRedisState(n, "disconnected", LINK_WAIT)));
  marks.redisDown = now();
  const refusedBefore = traffic.count("refused");
  await until(
    () => traffic.count("refused") >= refusedBefore + OUTAGE_REFUSALS,
    LINK_WAIT,
    `${OUTAGE_REFUSALS} messages refused while Redis is away`,
    () => JSON.stringify(countsByState()),
  );
  marks.redisStart = now();
  await redis.start();
  await Promise.all(live.map((n) => waitRedisState(n, "connected", 20000)));
  marks.relinked = now();
  await moreAcks(PHASE_ACKS, "after the Redis restart");

  // 5. Quiet: the traffic stops; every required member gets every acknowledged message (bounded;
  // what is still missing then is reported and fails the test).
  marks.stop = now();
  await traffic.stop();
  const ackedIds = traffic.records.filter((r) => r.state === "acked").map((r) => r.id);
  const hasAll = (m) => {
    const got = new Set(m.received.map((x) => x.id));
    return ackedIds.every((id) => got.has(id));
  };
  await until(
    () => members.filter((m) => m.required()).every(hasAll),
    SETTLE,
    "every acknowledged message at every required member",
  ).catch(() => {});
  marks.settled = now();
  return blipped;
}

// What each member got, against what it had to get: everything acknowledged (stayed, recovered),
// or what was sent after it joined again (a new socket; reported only).
function deliveries(acked) {
  const perMember = {};
  const problems = [];
  for (const m of members) {
    const expected = m.required() ? acked : acked.filter((r) => m.rejoinedAt !== undefined && r.sentAt > m.rejoinedAt);
    const times = new Map();
    for (const x of m.received) times.set(x.id, (times.get(x.id) ?? 0) + 1);
    const missing = expected.filter((r) => !times.has(r.id));
    const duplicates = [...times].filter(([, n]) => n > 1).map(([id]) => id);
    // per sender, the sequence numbers received must increase
    const last = new Map();
    const outOfOrder = [];
    for (const x of m.received) {
      const seq = Number(/ #(\d+)$/.exec(x.text)?.[1]);
      if (seq <= (last.get(x.user) ?? 0)) outOfOrder.push(x.text);
      last.set(x.user, seq);
    }
    perMember[m.name] = {
      kind: m.kind(),
      delivered: times.size,
      expected: expected.length,
      missing: missing.length,
      duplicates: duplicates.length,
      outOfOrder: outOfOrder.length,
    };
    if (m.required() && (missing.length || duplicates.length || outOfOrder.length)) {
      const more = missing.length > 20 ? ` and ${missing.length - 20} more` : "";
      problems.push(
        `${m.name} (${m.kind()}, started on ${m.nodeId}; disconnects ${JSON.stringify(m.disconnects)}, ` +
          `reconnects ${JSON.stringify(m.reconnects)}): missing ${JSON.stringify(missing.slice(0, 20))}${more}; ` +
          `duplicate ids ${JSON.stringify(duplicates.slice(0, 20))}; out of order ${JSON.stringify(outOfOrder.slice(0, 20))}`,
      );
    }
  }
  return { perMember, problems };
}

// The nodes' warnings, without the refusals' storage errors (counted instead), and Redis' log.
function logs() {
  const parts = [...nodes.values()].map((n) => {
    const lines = n.output().split("\n");
    const refusals = lines.filter((l) => l.includes("event=storage_error op=append")).length;
    const rest = lines.filter((l) => l && !l.includes("event=storage_error op=append")).slice(-40);
    return `--- ${n.nodeId} (${refusals} storage errors on append) ---\n${rest.join("\n")}`;
  });
  return `${parts.join("\n")}\n--- redis ---\n${redis.output().slice(-3000)}`;
}

test("acknowledged messages survive kill -9 of a node and a Redis restart", { timeout: TEST_BOUND }, async () => {
  const blipped = await runScenario();

  const acked = traffic.records.filter((r) => r.state === "acked");
  const history = await wholeHistory();
  const storedTexts = new Set([...history.values()].map((m) => m.text));
  const notInHistory = acked.filter((r) => history.get(r.id)?.text !== r.text || history.get(r.id)?.user !== r.user);
  const { perMember, problems } = deliveries(acked);
  const kinds = members.map((m) => m.kind());
  const report = {
    ms: now(),
    sent: traffic.records.length,
    acked: acked.length,
    failed: traffic.records.length - acked.length,
    refusedUnavailable: traffic.count("refused", "unavailable"),
    refusedOther: traffic.records.filter((r) => r.state === "refused" && r.error !== "unavailable").length,
    timedOut: traffic.count("timeout"),
    skipped: traffic.skipped,
    inHistory: history.size,
    ackedInHistory: acked.length - notInHistory.length,
    unackedInHistory: traffic.records.filter((r) => r.state !== "acked" && storedTexts.has(r.text)).length,
    stayed: kinds.filter((k) => k === "stayed").length,
    recovered: kinds.filter((k) => k === "recovered").length,
    newSocket: kinds.filter((k) => k === "new socket").length,
    marks,
    members: perMember,
  };
  console.log(`chaos report ${JSON.stringify(report)}`);

  const when = `(ms since the start: ${JSON.stringify(marks)})`;
  // Refusals are the documented ones only: `unavailable` while Redis is away.
  const otherRefusals = traffic.records.filter((r) => r.state === "refused" && r.error !== "unavailable");
  assert.deepEqual(otherRefusals, [], "the only refusal is `unavailable` (Redis away)");
  assert.ok(report.refusedUnavailable > 0, "messages were refused while Redis was away");
  // The blipped users of live nodes came back recovered (Redis was up, the window is 2 min).
  for (const m of blipped) {
    assert.deepEqual(
      m.reconnects.map((r) => r.recovered),
      [true],
      `${m.name} dropped its transport on a live node while Redis was up: it should come back recovered`,
    );
  }
  // Acknowledged = stored: every one is in history, with its id, user and text.
  assert.deepEqual(notInHistory, [], `acknowledged messages missing from history ${when}`);
  // Acknowledged = delivered to every member who stayed or recovered, once, in per-sender order.
  assert.deepEqual(problems, [], `deliveries ${when}\n${logs()}`);
});
