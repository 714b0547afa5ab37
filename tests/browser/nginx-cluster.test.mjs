// Through a load balancer: a real nginx, configured from deploy/nginx/switchboard.conf, in front
// of three Switchboard nodes on one real Redis. Every request comes from 127.0.0.1, as users
// behind one NAT would, yet the sb_route cookie spreads them over the nodes and pins each one to
// its node, which Socket.IO long-polling needs. Two browsers on different nodes chat (one upgraded
// to WebSocket, one held on long-polling), and official socket.io-client sockets that poll through
// nginx stay on one node, with the cookie given to them or kept by their own cookie jar.
//
// Stickiness is checked where it happens: nginx's access log names the upstream of each request
// and the routing key it hashed (kept in artifacts/nginx-access.log). Every wait is bounded;
// nothing sleeps as synchronisation.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  Resources,
  closeAllClients,
  join,
  messageWith,
  openUser,
  send as sendAs,
  waitLinked,
} from "../cluster/cluster-harness.mjs";
import { http } from "../lib/server-process.mjs";
import { startNginx } from "../lib/nginx-process.mjs";
import {
  WAIT,
  artifacts,
  blockWebSocket,
  joinRoom,
  launchChromium,
  logIn,
  messageText,
  send,
  shot,
} from "./browser-harness.mjs";

const TEST_TIMEOUT = 90000;
const ROOM = "behind-nginx";
// A request through nginx is never local (it carries X-Forwarded-For): the API needs the nodes' key.
const API_KEY = "nginx-key";
const MAX_CONTEXTS = 20; // contexts opened, at most, to get a second browser on another node
const SB_ROUTE = /^sb_route=([0-9a-f]{32}); Path=\/; HttpOnly; SameSite=Lax$/;

const resources = new Resources();
let redis;
let nodes = []; // the three Switchboard nodes, n1..n3
let nginx;
let browser;
const users = new Map(); // name -> { context, page, node, route }
const pageErrors = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  redis = await resources.redis();
  for (const id of ["n1", "n2", "n3"]) {
    // nginx rate-limits the API per client address; the nodes only ever see nginx's address
    nodes.push(await resources.node({ redisUrl: redis.url, nodeId: id, args: ["--api-rate-limit", "0", "--api-key", API_KEY] }));
  }
  await waitLinked(redis, nodes);
  nginx = await startNginx({ upstreamPorts: nodes.map((n) => n.port) });
  resources.add(() => nginx.stop());
  browser = await launchChromium();
  resources.add(() => browser.close());
});

after(async () => {
  for (const [name, u] of users) await shot(u.page, `nginx-final-${name}`).catch(() => {});
  // which node answered what, for a failure's diagnosis
  if (nginx) writeFileSync(path.join(artifacts, "nginx-access.log"), nginx.accessLog());
  closeAllClients();
  await resources.close(); // browser, nginx, nodes, redis: each closed even if another fails
});

// ---------------------------------------------------------------------------------------------
// Through nginx
// ---------------------------------------------------------------------------------------------

function nodeIdOfUpstream(addr) {
  return nodes.find((n) => addr === `127.0.0.1:${n.port}`)?.nodeId;
}

// GET through nginx from Node.js (no cookie jar), with the API key for /api/* unless `key` is false.
// Returns { status, headers, node, route, setCookie, text }: `node` from /healthz answers, `route`
// the key of a Set-Cookie.
async function viaNginx(pathAndQuery, cookie, { key = true } = {}) {
  const headers = cookie ? { cookie } : {};
  if (key && pathAndQuery.startsWith("/api/")) headers.authorization = `Bearer ${API_KEY}`;
  const res = await http(nginx.url + pathAndQuery, { timeout: WAIT, headers });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("sb_route="));
  let node;
  if (pathAndQuery === "/healthz") node = JSON.parse(res.text).node;
  const route = setCookie && SB_ROUTE.exec(setCookie)?.[1];
  return { status: res.status, headers: res.headers, node, setCookie, route, text: res.text };
}

// nginx's access log (log_format switchboard), one entry per finished request.
function accessLog() {
  const entries = [];
  for (const line of nginx.accessLog().split("\n")) {
    const m = /"(\S+) (\S+) [^"]*" (\d{3}) .* upstream=(.*) route=(\S+)$/.exec(line);
    if (m) entries.push({ method: m[1], uri: m[2], status: Number(m[3]), upstream: m[4], route: m[5], line });
  }
  return entries;
}

// Asserts that the Socket.IO requests matching `pick` all went to `nodeId`'s upstream (once each:
// no retry on another node), were all answered 200 (or 101, a WebSocket upgrade) and that at least
// `min` of them were long-polling requests. Returns the entries.
function assertPinned(pick, nodeId, min, who) {
  const mine = accessLog().filter((e) => e.uri.startsWith("/socket.io/") && pick(e));
  const show = () => mine.map((e) => e.line).join("\n");
  const polls = mine.filter((e) => e.uri.includes("transport=polling"));
  assert.ok(polls.length >= min, `${who}: expected at least ${min} polling requests in the access log:\n${show()}`);
  for (const e of mine) {
    assert.equal(nodeIdOfUpstream(e.upstream), nodeId, `${who}: every request should reach ${nodeId}:\n${show()}`);
    assert.ok(e.status === 200 || e.status === 101, `${who}: every request should succeed:\n${show()}`);
  }
  return mine;
}

// ---------------------------------------------------------------------------------------------
// Browsers
// ---------------------------------------------------------------------------------------------

// A fresh context (own cookies) on the chat page through nginx; `polling` refuses its WebSockets.
// Returns { context, page, node, route }: the node its /healthz names, the key of its cookie.
async function openContext(label, { polling = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  if (polling) await blockWebSocket(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.setDefaultNavigationTimeout(WAIT);
  page.on("pageerror", (err) => pageErrors.push(`${label}: ${err.message}`));
  await page.goto(nginx.url + "/");
  const cookies = (await context.cookies()).filter((c) => c.name === "sb_route");
  assert.equal(cookies.length, 1, `${label}: one sb_route cookie: ${JSON.stringify(cookies)}`);
  assert.match(cookies[0].value, /^[0-9a-f]{32}$/);
  assert.equal(cookies[0].httpOnly, true, `${label}: the cookie is HttpOnly`);
  assert.equal(cookies[0].sameSite, "Lax", `${label}: the cookie is SameSite=Lax`);
  return { context, page, node: await pageNode(page), route: cookies[0].value };
}

// The node this page's requests reach, by its own fetch (with its own cookie).
async function pageNode(page) {
  const h = await page.evaluate(async () => (await fetch("/healthz")).json());
  return h.node;
}

// ---------------------------------------------------------------------------------------------

describe("three nodes behind nginx (deploy/nginx/switchboard.conf)", { timeout: TEST_TIMEOUT }, () => {
  test("cookieless requests from one address spread over all nodes; the cookie pins them", async () => {
    const seen = new Map(); // node -> count
    for (let i = 0; i < 60; i++) {
      const r = await viaNginx("/healthz");
      assert.equal(r.status, 200, r.text);
      assert.match(r.setCookie ?? "", SB_ROUTE, "a request without the cookie is handed one");
      seen.set(r.node, (seen.get(r.node) ?? 0) + 1);
    }
    // ip_hash would have sent all 60 to one node: they all come from 127.0.0.1
    assert.deepEqual([...seen.keys()].sort(), ["n1", "n2", "n3"], JSON.stringify([...seen]));

    const first = await viaNginx("/healthz");
    const cookie = `sb_route=${first.route}`;
    for (let i = 0; i < 10; i++) {
      const r = await viaNginx("/healthz", cookie);
      assert.equal(r.node, first.node, "the same cookie reaches the same node every time");
      assert.equal(r.setCookie, undefined, "no new cookie when the browser sent one");
    }
  });

  test("two browsers on different nodes chat both ways: one on WebSocket, one long-polling only", async () => {
    const ada = await openContext("ada");
    users.set("ada", ada);
    let grace;
    const landed = [];
    for (let attempt = 1; attempt <= MAX_CONTEXTS && !grace; attempt++) {
      const c = await openContext(`grace-${attempt}`, { polling: true });
      landed.push(c.node);
      if (c.node !== ada.node) grace = c;
      else await c.context.close();
    }
    assert.ok(grace, `no context landed elsewhere than ada's ${ada.node} in ${MAX_CONTEXTS}: ${landed}`);
    users.set("grace", grace);

    await logIn(ada.page, "ada");
    await logIn(grace.page, "grace");
    // ada upgraded to WebSocket through nginx; grace stays on polling, every request via nginx
    await ada.page.waitForSelector('#conn-state[data-state="connected"]');
    await grace.page.locator('#conn-state[data-state="polling"]').filter({ hasText: "polling fallback" }).waitFor();
    await joinRoom(ada.page, ROOM);
    await joinRoom(grace.page, ROOM);
    // presence crosses the nodes through Redis
    await ada.page.waitForSelector('#member-list [data-testid="member"][data-user="grace"]');
    await grace.page.waitForSelector('#member-list [data-testid="member"][data-user="ada"]');

    await send(ada.page, `hello grace, ada on ${ada.node}`);
    await messageText(grace.page, `hello grace, ada on ${ada.node}`).waitFor();
    await send(grace.page, `hi ada, grace on ${grace.node}`);
    await messageText(ada.page, `hi ada, grace on ${grace.node}`).waitFor();

    assert.equal(await pageNode(ada.page), ada.node, "ada is still on her node");
    assert.equal(await pageNode(grace.page), grace.node, "grace is still on her node");
    // grace's handshake, her long-polls and her sends all reached her node, none was refused
    assertPinned((e) => e.route === grace.route, grace.node, 4, "grace (polling)");
    assertPinned((e) => e.route === ada.route, ada.node, 1, "ada (polling, then WebSocket)");
    await shot(ada.page, "nginx-chat-ada");
    await shot(grace.page, "nginx-chat-grace");
  });

  test("socket.io-client polling with the sb_route cookie stays on its node and chats across nodes", async () => {
    const ada = users.get("ada");
    const grace = users.get("grace");
    assert.ok(ada && grace, "needs the browsers of the previous test");
    const page = await viaNginx("/");
    assert.equal(page.status, 200);
    const cookie = `sb_route=${page.route}`;
    const { node } = await viaNginx("/healthz", cookie);
    const partner = [ada, grace].find((u) => u.node !== node); // they are on two different nodes
    const socket = await openUser({ url: nginx.url }, "nodejs", {
      transports: ["polling"],
      extraHeaders: { cookie },
      query: { who: "with-cookie" },
    });
    await join(socket, ROOM);
    await partner.page.waitForSelector('#member-list [data-testid="member"][data-user="nodejs"]');

    await sendAs(socket, ROOM, `polling from ${node}`);
    await messageText(partner.page, `polling from ${node}`).waitFor();
    await send(partner.page, `to the poller from ${partner.node}`);
    await socket.log.take(messageWith(`to the poller from ${partner.node}`), WAIT, "the browser's message");

    for (let i = 0; i < 5; i++) assert.equal((await viaNginx("/healthz", cookie)).node, node);
    assertPinned((e) => e.uri.includes("who=with-cookie"), node, 4, "socket.io-client with the cookie");
    socket.disconnect();
  });

  test("socket.io-client with withCredentials keeps the cookie nginx hands it and stays on one node", async () => {
    const socket = await openUser({ url: nginx.url }, "jar", {
      transports: ["polling"],
      withCredentials: true, // engine.io-client's cookie jar in Node.js
      query: { who: "cookie-jar" },
    });
    await join(socket, ROOM);
    await sendAs(socket, ROOM, "from the cookie jar");
    const mine = accessLog().filter((e) => e.uri.includes("who=cookie-jar"));
    assert.ok(mine.length > 0, "the access log has the jar's requests");
    const upstreams = new Set(mine.map((e) => e.upstream));
    assert.equal(upstreams.size, 1, `one node for all: ${mine.map((e) => e.line).join("\n")}`);
    const node = nodeIdOfUpstream([...upstreams][0]);
    assertPinned((e) => e.uri.includes("who=cookie-jar"), node, 4, "socket.io-client with its cookie jar");
    assert.equal(new Set(mine.map((e) => e.route)).size, 1, "the handshake's key is the one the jar sent back");
    await messageText(users.get("ada").page, "from the cookie jar").waitFor();
    socket.disconnect();
  });

  test("the dashboard, the API and /metrics answer through nginx", async () => {
    const dash = await viaNginx("/dashboard");
    assert.equal(dash.status, 200);
    assert.match(dash.text, /<html/i);
    const refused = await viaNginx("/api/rooms", undefined, { key: false });
    assert.equal(refused.status, 401, `the API without the key through nginx: ${refused.text}`);
    assert.equal(JSON.parse(refused.text).error, "unauthorized");
    const rooms = await viaNginx("/api/rooms");
    assert.equal(rooms.status, 200, rooms.text);
    assert.ok(JSON.parse(rooms.text).rooms.some((r) => r.room === ROOM), rooms.text);
    const metrics = await viaNginx("/metrics"); // allowed: from 127.0.0.1
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^# (HELP|TYPE) /m);
  });

  test("when a user's node stops, nginx sends her, cookie unchanged, to a live node and she chats on", async () => {
    const ada = users.get("ada");
    const grace = users.get("grace");
    assert.ok(ada && grace, "needs the browsers of the earlier test");
    const victim = nodes.find((n) => n.nodeId === ada.node);
    await victim.stop(); // SIGTERM: the node closes its listener and every client's transport
    await ada.page.waitForSelector('#conn-state[data-state="reconnecting"]');
    await ada.page.waitForSelector('#conn-state[data-state="connected"]');
    await ada.page.waitForSelector(`#room-list [data-room="${ROOM}"]:not(.pending)`);
    const now = await pageNode(ada.page);
    assert.notEqual(now, ada.node, "ada left the stopped node");
    assert.equal((await ada.context.cookies()).find((c) => c.name === "sb_route")?.value, ada.route);
    await send(ada.page, `ada again, now on ${now}`);
    await messageText(grace.page, `ada again, now on ${now}`).waitFor();
    await send(grace.page, "welcome back");
    await messageText(ada.page, "welcome back").waitFor();
  });

  test("nginx rate-limits the API per client address with the nodes' 429 answer", async () => {
    // burst 200 then 100/s: concurrent requests outrun the refill; bounded by 2000 requests
    let refused;
    for (let sent = 0; sent < 2000 && !refused; sent += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => viaNginx("/api/rooms")));
      refused = batch.find((r) => r.status !== 200);
    }
    assert.ok(refused, "no request was refused");
    assert.equal(refused.status, 429, refused.text);
    assert.deepEqual(JSON.parse(refused.text), {
      error: "rate_limited",
      message: "too many API requests from this address; retry later",
    });
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(refused.headers.get("content-type") ?? "", /application\/json/);
    assert.match(refused.setCookie ?? "", SB_ROUTE, "the refusal still hands out the routing cookie");
  });

  test("pages threw no uncaught exception", () => {
    assert.deepEqual(pageErrors, []);
  });
});
