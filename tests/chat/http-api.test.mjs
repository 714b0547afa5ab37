// The HTTP server API of docs/user-guide.md: POST /api/publish, GET /api/rooms,
// /api/rooms/{room}/history, /api/rooms/{room}/members, /healthz, and the documented errors
// (every error body is JSON {error, message}).

import assert from "node:assert/strict";
import { afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  api,
  assertHttpError,
  closeAllClients,
  join,
  openUser,
  rawHttp,
  send,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

const KEY = "k";
const AUTH = { authorization: `Bearer ${KEY}` };

function publish(server, body, { headers = AUTH, raw } = {}) {
  if (raw !== undefined) {
    return api(server, "/api/publish", { method: "POST", body: raw, headers });
  }
  return api(server, "/api/publish", { json: body, headers });
}

const enc = encodeURIComponent;

// With --api-key every /api/* request needs the key, GETs included.
function get(server, pathAndQuery) {
  return api(server, pathAndQuery, { headers: AUTH });
}

describe("server API (--api-key k --node-id n1)", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--api-rate-limit", "0", "--api-key", KEY, "--node-id", "n1"]);
  afterEach(() => closeAllClients());

  describe("POST /api/publish", () => {
    test("to a room: 200 {ok:true}; only the room's members get the event with data", async () => {
      const room = uniqueRoom("pub");
      const lobby = uniqueRoom("pub-lobby");
      const ada = await openUser(server, "ada");
      const bob = await openUser(server, "bob");
      const eve = await openUser(server, "eve");
      await join(ada, room);
      await join(bob, room);
      for (const s of [ada, bob, eve]) await join(s, lobby);
      for (const s of [ada, bob, eve]) s.log.clear();

      const res = await publish(server, { room, event: "announcement", data: { text: "maintenance at 22:00" } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { ok: true });
      for (const s of [ada, bob]) {
        const ev = await s.log.take("announcement", WAIT, "the announcement");
        assert.deepEqual(ev.args, [{ text: "maintenance at 22:00" }]);
      }
      // a later publish to the lobby reaches eve; nothing of the room's came before it
      assert.equal((await publish(server, { room: lobby, event: "marker", data: 1 })).status, 200);
      const events = await eve.log.until("marker", WAIT, "the marker");
      assert.deepEqual(events.map((e) => e.event), ["marker"], "a non-member must not get the room's event");
    });

    test("without room: every client of / gets it, also one in no room; without data: no argument", async () => {
      const ada = await openUser(server, "ada");
      const bob = await openUser(server, "bob", { transports: ["polling"] }, "bob-polling");
      const loner = await openUser(server, "loner");
      await join(ada, uniqueRoom("somewhere"));
      const res = await publish(server, { event: "everyone", data: [1, "two", { three: 3 }] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { ok: true });
      for (const s of [ada, bob, loner]) {
        const ev = await s.log.take("everyone", WAIT, "the broadcast");
        assert.deepEqual(ev.args, [[1, "two", { three: 3 }]], "data is one argument");
      }
      assert.equal((await publish(server, { event: "bare" })).status, 200);
      for (const s of [ada, bob, loner]) {
        const ev = await s.log.take("bare", WAIT, "the event without data");
        assert.deepEqual(ev.args, [], "no data: the event has no argument");
      }
      assert.equal((await publish(server, { event: "text", data: "plain string" })).status, 200);
      const ev = await loner.log.take("text", WAIT, "the string data");
      assert.deepEqual(ev.args, ["plain string"]);
      assert.equal((await publish(server, { event: "nothing", data: null })).status, 200);
      const nul = await loner.log.take("nothing", WAIT, "the null data");
      assert.deepEqual(nul.args, [null], "data: null is present: one argument, null");
    });

    test("Content-Type application/json; charset=utf-8 is accepted", async () => {
      const res = await publish(server, null, {
        raw: JSON.stringify({ event: "charset" }),
        headers: { ...AUTH, "content-type": "application/json; charset=utf-8" },
      });
      assert.equal(res.status, 200, res.text);
    });

    test("401 unauthorized without Authorization, with a wrong key or another scheme; nothing is delivered", async () => {
      const ada = await openUser(server, "ada");
      for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${KEY}` }, { authorization: KEY }]) {
        const res = await publish(server, { event: "sneaky", data: 1 }, { headers });
        assertHttpError(res, 401, "unauthorized", `publish with ${JSON.stringify(headers)}`);
      }
      assert.equal((await publish(server, { event: "marker" })).status, 200);
      const events = await ada.log.until("marker", WAIT, "the marker");
      assert.deepEqual(events.map((e) => e.event), ["marker"], "refused publishes must not be delivered");
    });

    test("415 unsupported_media_type without Content-Type application/json", async () => {
      const body = JSON.stringify({ event: "x" });
      const cases = [
        ["text/plain", { ...AUTH, "content-type": "text/plain" }, body],
        ["form", { ...AUTH, "content-type": "application/x-www-form-urlencoded" }, body],
        ["no Content-Type", AUTH, new TextEncoder().encode(body)], // a byte body gets no content-type
      ];
      for (const [label, headers, raw] of cases) {
        const res = await publish(server, null, { headers, raw });
        assertHttpError(res, 415, "unsupported_media_type", label);
      }
    });

    const badBodies = [
      ["invalid JSON", "{"],
      ["not JSON at all", "hello"],
      ["an empty body", ""],
      ["a JSON array", "[]"],
      ["a JSON string", '"x"'],
      ["missing event", JSON.stringify({ room: "r", data: 1 })],
      ["event: 5", JSON.stringify({ event: 5 })],
      ["event: null", JSON.stringify({ event: null })],
      ["event: {}", JSON.stringify({ event: {} })],
      ['event: ""', JSON.stringify({ event: "" })],
      ["room: 5", JSON.stringify({ room: 5, event: "x" })],
      ["room: [\"r\"]", JSON.stringify({ room: ["r"], event: "x" })],
      ...["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].map((e) => [
        `reserved event "${e}"`,
        JSON.stringify({ event: e }),
      ]),
    ];
    for (const [label, raw] of badBodies) {
      test(`400 bad_request for ${label}`, async () => {
        const res = await publish(server, null, { raw, headers: { ...AUTH, "content-type": "application/json" } });
        assertHttpError(res, 400, "bad_request", label);
      });
    }
  });

  describe("GET /api/rooms", () => {
    test("rooms that have members, with the number of distinct users, sorted by name", async () => {
      const big = `apirooms-${process.pid}-a`;
      const small = `apirooms-${process.pid}-b`;
      const ada1 = await openUser(server, "ada", {}, "ada1");
      const ada2 = await openUser(server, "ada", {}, "ada2");
      const bob = await openUser(server, "bob");
      const carol = await openUser(server, "carol");
      // joined in reverse name order, so that sorting is the server's work
      await join(carol, small);
      for (const s of [ada1, ada2, bob]) await join(s, big);
      // with --api-key, GETs need the key too
      for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${KEY}` }]) {
        const refused = await api(server, "/api/rooms", { headers });
        assertHttpError(refused, 401, "unauthorized", `GET /api/rooms with ${JSON.stringify(headers)}`);
        assert.doesNotMatch(refused.text, /apirooms-/, "a refused GET lists no room");
      }
      const res = await get(server, "/api/rooms");
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(Object.keys(res.json), ["rooms"]);
      const names = res.json.rooms.map((r) => r.room);
      assert.deepEqual(names, [...names].sort(), "sorted by name");
      const mine = res.json.rooms.filter((r) => r.room.startsWith(`apirooms-${process.pid}-`));
      assert.deepEqual(mine, [
        { room: big, members: 2 },
        { room: small, members: 1 },
      ]);
      // a room without members is not listed
      assert.deepEqual(await ack(carol, "leave", small), { ok: true });
      const after = await get(server, "/api/rooms");
      assert.deepEqual(
        after.json.rooms.filter((r) => r.room.startsWith(`apirooms-${process.pid}-`)),
        [{ room: big, members: 2 }],
      );
    });
  });

  describe("GET /api/rooms/{room}/history and /members", () => {
    let room;
    let sent; // broadcast objects, oldest first
    before(async () => {
      room = uniqueRoom("apihist");
      const ada = await openUser(server, "ada", {}, "hist-ada");
      await join(ada, room);
      sent = [];
      for (let i = 0; i < 5; i++) {
        const id = await send(ada, room, `h${i}`);
        const ev = await ada.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "broadcast");
        sent.push(ev.args[0]);
      }
      ada.disconnect(); // the room keeps its stored messages and has no member
    });
    const newestFirst = (a, b) => sent.slice(a, b).reverse();
    const hist = (q = "") => get(server, `/api/rooms/${enc(room)}/history${q}`);

    test("history: 200 {room, messages} newest first", async () => {
      for (const r of ["history", "members"]) {
        const refused = await api(server, `/api/rooms/${enc(room)}/${r}`);
        assertHttpError(refused, 401, "unauthorized", `GET ${r} without Authorization`);
      }
      const res = await hist();
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(res.json, { room, messages: newestFirst(0, 5) });
    });

    test("history: limit and before (excluded)", async () => {
      assert.deepEqual((await hist("?limit=2")).json, { room, messages: newestFirst(3, 5) });
      assert.deepEqual((await hist(`?before=${sent[3].id}`)).json, { room, messages: newestFirst(0, 3) });
      assert.deepEqual((await hist(`?before=${sent[3].id}&limit=1`)).json, { room, messages: [sent[2]] });
      assert.deepEqual((await hist(`?before=${sent[0].id}`)).json, { room, messages: [] });
      assert.deepEqual((await hist("?limit=500")).json, { room, messages: newestFirst(0, 5) });
    });

    for (const q of ["?limit=abc", "?limit=0", "?limit=-1", "?limit=1.5", "?before=x", "?before=0", "?before=-3"]) {
      test(`history${q} → 400 bad_request`, async () => {
        assertHttpError(await hist(q), 400, "bad_request", q);
      });
    }

    test("members of a room with stored messages but no member: 200 {room, members:[]}", async () => {
      const res = await get(server, `/api/rooms/${enc(room)}/members`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { room, members: [] });
    });

    test("members: sorted user names, each once", async () => {
      const r = uniqueRoom("apimembers");
      const zed = await openUser(server, "zed");
      const ada1 = await openUser(server, "ada", {}, "ada1");
      const ada2 = await openUser(server, "ada", {}, "ada2");
      for (const s of [zed, ada1, ada2]) await join(s, r);
      const res = await get(server, `/api/rooms/${enc(r)}/members`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { room: r, members: ["ada", "zed"] });
      // a room with members and no messages has an (empty) history
      const h = await get(server, `/api/rooms/${enc(r)}/history`);
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.json, { room: r, messages: [] });
    });

    test("a room with neither members nor messages → 404 not_found", async () => {
      const r = uniqueRoom("nowhere");
      assertHttpError(await get(server, `/api/rooms/${enc(r)}/history`), 404, "not_found", "history");
      assertHttpError(await get(server, `/api/rooms/${enc(r)}/members`), 404, "not_found", "members");
    });

    test("percent-encoded room names: space, slash, non-ASCII, %, ? and #", async () => {
      const ada = await openUser(server, "ada");
      for (const base of ["a b", "x/y", "café", "50%", "q?&#"]) {
        const r = `${base}-${process.pid}`;
        await join(ada, r);
        const id = await send(ada, r, `in ${base}`);
        const h = await get(server, `/api/rooms/${enc(r)}/history`);
        assert.equal(h.status, 200, `history of ${JSON.stringify(r)} (${enc(r)}): ${h.status} ${h.text}`);
        assert.equal(h.json.room, r);
        assert.deepEqual(
          h.json.messages.map((m) => [m.id, m.room, m.text]),
          [[id, r, `in ${base}`]],
        );
        const m = await get(server, `/api/rooms/${enc(r)}/members`);
        assert.equal(m.status, 200, `members of ${JSON.stringify(r)}: ${m.status} ${m.text}`);
        assert.deepEqual(m.json, { room: r, members: ["ada"] });
      }
    });
  });

  describe("errors and /healthz", () => {
    for (const p of ["/api/nope", "/api/rooms/x/nope", "/api/", "/api/rooms/x/history/extra"]) {
      test(`GET ${p} → 404 not_found`, async () => {
        assertHttpError(await get(server, p), 404, "not_found", p);
      });
    }

    const wrongMethods = [
      ["GET", "/api/publish", "POST"],
      ["PUT", "/api/publish", "POST"],
      ["POST", "/api/rooms", "GET"],
      ["DELETE", "/api/rooms", "GET"],
      ["POST", "/api/rooms/lobby/history", "GET"],
      ["PUT", "/api/rooms/lobby/members", "GET"],
    ];
    for (const [method, p, allow] of wrongMethods) {
      test(`${method} ${p} → 405 method_not_allowed with Allow: ${allow}`, async () => {
        const res = await api(server, p, {
          method,
          headers: { ...AUTH, "content-type": "application/json" },
          ...(method === "GET" ? {} : { body: "{}" }),
        });
        assertHttpError(res, 405, "method_not_allowed", `${method} ${p}`);
        const allowHeader = res.headers.get("allow");
        assert.ok(allowHeader, `${method} ${p}: Allow header missing`);
        assert.ok(
          allowHeader.split(",").map((s) => s.trim()).includes(allow),
          `${method} ${p}: Allow is ${JSON.stringify(allowHeader)}, should list ${allow}`,
        );
      });
    }

    test("GET /healthz → 200 {status:'ok', node:'n1', uptime_s, redis}", async () => {
      const res = await api(server, "/healthz");
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.equal(res.json.status, "ok");
      assert.equal(res.json.node, "n1");
      assert.equal(typeof res.json.uptime_s, "number");
      assert.ok(res.json.uptime_s >= 0 && res.json.uptime_s < 3600, `uptime_s ${res.json.uptime_s}`);
      assert.ok("redis" in res.json, `redis field in ${res.text}`);
    });
  });
});

describe("without --api-key: /api/* answers loopback requests that came through no proxy", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-rate-limit", "0"]);

  test("a plain loopback GET and publish: 200; with Forwarded or X-Forwarded-For: 401 unauthorized", async () => {
    const ok = await api(server, "/api/rooms");
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(Object.keys(ok.json), ["rooms"]);
    assert.equal((await publish(server, { event: "local" }, { headers: {} })).status, 200);
    for (const headers of [{ forwarded: "for=203.0.113.7" }, { "x-forwarded-for": "203.0.113.7" }, { "x-forwarded-for": "127.0.0.1" }]) {
      const what = JSON.stringify(headers);
      const res = await api(server, "/api/rooms", { headers });
      assertHttpError(res, 401, "unauthorized", `GET /api/rooms with ${what}`);
      assert.match(res.json.message, /--api-key/, `the refusal names --api-key: ${res.text}`);
      assertHttpError(await publish(server, { event: "proxied" }, { headers }), 401, "unauthorized", `publish with ${what}`);
    }
  });

  test("a Host that is not loopback: 401 unauthorized; a loopback Host: 200", async () => {
    const request = (host) =>
      rawHttp(server, `GET /api/rooms HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const remote = await request("chat.example.com");
    assert.equal(remote.status, 401, remote.body.toString());
    assert.equal(JSON.parse(remote.body.toString()).error, "unauthorized");
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const local = await request(host);
      assert.equal(local.status, 200, `Host ${host}: ${local.status} ${local.body.toString()}`);
    }
  });
});

describe("--max-payload 1000: 413 for a larger API body", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--max-payload", "1000", "--api-key", KEY]);

  test("a 2000-byte publish body → 413 payload_too_large; a 1000-byte one → 200; the server goes on", async () => {
    const big = JSON.stringify({ event: "big", data: "x".repeat(2000) });
    assertHttpError(
      await publish(server, null, { raw: big, headers: { ...AUTH, "content-type": "application/json" } }),
      413,
      "payload_too_large",
      "2000-byte body",
    );
    const prefix = '{"event":"small","data":"';
    const small = prefix + "y".repeat(1000 - prefix.length - 2) + '"}';
    assert.equal(Buffer.byteLength(small), 1000);
    JSON.parse(small);
    const res = await publish(server, null, { raw: small, headers: { ...AUTH, "content-type": "application/json" } });
    assert.equal(res.status, 200, res.text);
  });
});

describe("--api-rate-limit 1:2: 429 after a burst", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--api-rate-limit", "1:2"]);

  test("without --api-key publish needs no Authorization; bursting past 2 requests → 429 rate_limited + Retry-After", async () => {
    const statuses = [];
    let limited;
    const first = await publish(server, { event: "no-key-needed" }, { headers: {} });
    assert.equal(first.status, 200, `publish without --api-key: ${first.status} ${first.text}`);
    statuses.push(first.status);
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await api(server, "/api/rooms");
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 200, res.text);
    }
    assert.ok(limited, `no 429 in a burst of 6 requests at 1:2 (statuses ${statuses})`);
    assertHttpError(limited, 429, "rate_limited", "burst");
    const retryAfter = limited.headers.get("retry-after");
    assert.ok(retryAfter !== null, "429 carries Retry-After");
    assert.match(retryAfter, /^\d+$/, `Retry-After is a number of seconds: ${retryAfter}`);
    assert.ok(statuses.length <= 4, `the 429 should come by the 3rd/4th request at burst 2: ${statuses}`);
  });
});
