// The application's backend hooks (docs/design.md#backend-hooks) against a real HTTP backend the
// test serves on loopback: what each hook is sent (body, forwarded headers, signature), what each
// answer does, and every way the backend can fail (a refusal, 500, garbage, an answer out of
// shape, no answer within --hook-timeout, the backend down), the breaker that stops asking a
// failing backend and asks again after its pause, and the per-hook metrics.

import assert from "node:assert/strict";
import net from "node:net";
import { after, afterEach, before, describe, test } from "node:test";
import { signatureValid, startBackend } from "../lib/backend.mjs";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  api,
  assertRefusal,
  closeAllClients,
  configFile,
  connectError,
  connectUser,
  join,
  openUser,
  runToExit,
  send,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

const SECRET = "hook-secret-for-tests";

// A backend whose connect hook reads the user from auth {user, name} (or refuses on auth.deny).
function connectAsAuthSays(backend) {
  backend.answer("/connect", ({ body }) => {
    const { auth } = body;
    if (auth.deny === 401) return { status: 401, json: { message: "log in first" } };
    if (auth.deny === 403) return { status: 403, json: { message: "your account is suspended" } };
    return { json: { user: auth.user, ...(auth.name ? { name: auth.name } : {}), rooms: auth.rooms, data: auth.data } };
  });
}

function assertRefused(err, code, what) {
  assert.equal(err.message, "unauthorized", `${what}: ${JSON.stringify(err)}`);
  assert.equal(err.data?.error, code, `${what}: ${JSON.stringify(err.data)}`);
  assert.equal(typeof err.data?.message, "string", `${what}: a message`);
}

async function hookMetric(server, hook, outcome) {
  const res = await api(server, "/metrics");
  const line = res.text
    .split("\n")
    .find((l) => l.startsWith(`switchboard_hook_requests_total{hook="${hook}",outcome="${outcome}"}`));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("--auth-hook: the backend says who a client is", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  before(async () => {
    backend = await startBackend();
    connectAsAuthSays(backend);
  });
  after(() => backend?.close());
  const rules = configFile('[[rooms]]\nmatch = "team-*"\njoin = "token"\n');
  const server = withChat(() => [
    "--auth-hook", backend.url("/connect"), "--hook-secret", SECRET, "--config", rules,
    "--rate-limit", "0", "--event-rate-limit", "0",
  ]);
  afterEach(() => {
    closeAllClients();
    backend.clear();
  });

  test("the request: namespace, auth, the cookie and four other headers (no others), address, node; signed", async () => {
    const s = connectUser(server, { user: "u-1", note: "hi" }, {
      extraHeaders: { cookie: "session=abc", "user-agent": "hook-test", "x-private": "not for the backend" },
    });
    const req = await backend.take("/connect", WAIT, "the connect hook request");
    await new Promise((resolve) => s.once("connect", resolve));
    assert.equal(req.method, "POST");
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(Object.keys(req.body).sort(), ["address", "auth", "headers", "namespace", "node"]);
    assert.equal(req.body.namespace, "/");
    assert.deepEqual(req.body.auth, { user: "u-1", note: "hi" });
    assert.equal(req.body.headers.cookie, "session=abc");
    assert.equal(req.body.headers["user-agent"], "hook-test");
    assert.equal(req.body.headers["x-private"], undefined, "only the listed headers are forwarded");
    for (const k of Object.keys(req.body.headers)) {
      assert.ok(["cookie", "authorization", "origin", "user-agent", "x-forwarded-for"].includes(k), k);
    }
    assert.equal(req.body.address, "127.0.0.1");
    assert.equal(typeof req.body.node, "string");
    assert.ok(signatureValid(req, SECRET), `signature ${req.headers["x-switchboard-signature"]}`);
    assert.equal(signatureValid(req, "another secret"), false, "a signature under another key does not verify");
    const ts = Number(req.headers["x-switchboard-timestamp"]);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 60, `timestamp ${ts} is the current Unix time in seconds`);
  });

  test("200 {user, name, rooms, data}: the user and name in events, the rooms granted, data kept", async () => {
    const room = uniqueRoom("hooked");
    const bob = await openUser(server, { user: "bob" });
    await join(bob, room);
    const ada = await openUser(server, { user: "u-ada", name: "Ada L.", rooms: ["team-red"], data: { plan: "pro" } });
    const res = await join(ada, room);
    assert.deepEqual(res.members, ["bob", "u-ada"]);
    const id = await send(ada, room, "hi");
    const m = await bob.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "ada's message");
    assert.equal(m.args[0].user, "u-ada");
    assert.equal(m.args[0].name, "Ada L.");
    assert.equal((await join(ada, "team-red")).ok, true, "granted by the hook's rooms");
    assertRefusal(await ack(ada, "join", "team-blue"), "forbidden", "not granted");
    assertRefusal(await ack(bob, "join", "team-red"), "forbidden", "bob has no rooms");
  });

  test("401 → unauthorized and 403 → forbidden, with the backend's message", async () => {
    const e401 = await connectError(connectUser(server, { deny: 401 }));
    assertRefused(e401, "unauthorized", "401");
    assert.equal(e401.data.message, "log in first");
    const e403 = await connectError(connectUser(server, { deny: 403 }));
    assertRefused(e403, "forbidden", "403");
    assert.equal(e403.data.message, "your account is suspended");
  });

  test("an answer out of shape (no user, a user with a control character) → unavailable", async () => {
    for (const auth of [{}, { user: "a\u0000b" }, { user: "ok", name: "\u202e" }, { user: "ok", rooms: "team-red" }]) {
      assertRefused(await connectError(connectUser(server, auth)), "unavailable", JSON.stringify(auth));
    }
    assert.ok((await hookMetric(server, "connect", "ok")) >= 4, "the 200s are counted as ok");
    const metrics = (await api(server, "/metrics")).text;
    const count = Number(/^switchboard_hook_duration_seconds_count\{hook="connect"\} (\d+)/m.exec(metrics)?.[1]);
    const inf = Number(/^switchboard_hook_duration_seconds_bucket\{hook="connect",le="\+Inf"\} (\d+)/m.exec(metrics)?.[1]);
    assert.ok(count >= 4 && inf === count, `the latency histogram counts every answer: ${count}, +Inf ${inf}`);
  });

  test("every CONNECT asks again, a recovered one included; a recovery for another user is refused", async () => {
    const s = connectUser(server, { user: "cy" }, { reconnection: true, reconnectionDelay: 50 });
    await new Promise((resolve) => s.once("connect", resolve));
    await backend.take("/connect");
    const room = uniqueRoom("recover");
    await join(s, room);
    const id = await send(s, room, "before the drop");
    await s.log.take((e) => e.event === "message" && e.args[0].id === id);
    const back = new Promise((resolve) => s.once("connect", resolve));
    s.io.engine.close(); // a transport close: the client reconnects and asks to recover
    await back;
    const again = await backend.take("/connect", WAIT, "the hook asked again");
    assert.deepEqual(again.body.auth, { user: "cy" }, "the client's own auth, without its recovery fields");
    assert.equal(s.recovered, true, "the session was recovered, after the hook said who it is");
    // A recovery presenting another user's credentials is refused.
    const refused = new Promise((resolve) => s.once("connect_error", resolve));
    s.auth = { user: "not-cy" };
    s.io.engine.close();
    assertRefused(await refused, "unauthorized", "a recovery for another user");
    s.io.reconnection(false);
  });
});

describe("--auth-hook failures: 500, garbage, no answer, down; the breaker", { timeout: 30000 }, () => {
  let backend;
  let deadPort;
  before(async () => {
    backend = await startBackend();
    const probe = net.createServer();
    await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
    deadPort = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
  });
  after(() => backend?.close());
  const server = withChat(() => [
    "--auth-hook", backend.url("/connect"), "--hook-secret", SECRET, "--hook-timeout", "300",
    "--auth-failure-limit", "0",
  ]);
  afterEach(() => closeAllClients());

  test("500, a 200 that is not JSON, a redirect, no answer within --hook-timeout → unavailable; then ok again", async () => {
    const replies = [{ status: 500, body: "oops" }, { body: "<html>not json</html>" }, { status: 302 }, { hang: true }];
    for (const reply of replies) {
      backend.answer("/connect", () => reply);
      const started = Date.now();
      assertRefused(await connectError(connectUser(server, { user: "x" })), "unavailable", JSON.stringify(reply));
      if (reply.hang) assert.ok(Date.now() - started < 2000, "answered at the timeout, not later");
    }
    assert.ok((await hookMetric(server, "connect", "timeout")) >= 1, "the timeout is counted");
    assert.ok((await hookMetric(server, "connect", "error")) >= 3, "the errors are counted");
    backend.answer("/connect", () => ({ json: { user: "fine" } }));
    await openUser(server, { user: "fine" });
  });

  test("after 5 failures in a row the breaker opens: nothing is sent and clients hear unavailable at once; after the pause one request goes through and closes it", async () => {
    backend.answer("/connect", () => ({ status: 503 }));
    for (let i = 0; i < 5; i++) {
      assertRefused(await connectError(connectUser(server, { user: "x" })), "unavailable", `failure ${i + 1}`);
    }
    const sent = backend.count("/connect");
    for (let i = 0; i < 3; i++) {
      assertRefused(await connectError(connectUser(server, { user: "x" })), "unavailable", `while open ${i + 1}`);
    }
    assert.equal(backend.count("/connect"), sent, "nothing sent while the breaker is open");
    assert.ok((await hookMetric(server, "connect", "rejected")) >= 3, "rejected requests are counted");
    backend.answer("/connect", () => ({ json: { user: "back" } }));
    // The pause is 5 s: clients keep trying, as the official client's reconnection would.
    const deadline = Date.now() + 10000;
    let s;
    while (Date.now() < deadline) {
      s = connectUser(server, { user: "back" });
      const outcome = await new Promise((resolve) => {
        s.once("connect", () => resolve("connected"));
        s.once("connect_error", () => resolve("refused"));
      });
      if (outcome === "connected") break;
      await new Promise((resolve) => setTimeout(resolve, 250)); // a client's backoff, bounded by the deadline
    }
    assert.equal(s.connected, true, "the breaker let a request through after its pause and closed");
    await openUser(server, { user: "back" });
  });

  test("the backend down (nothing listening) → unavailable", async () => {
    // A server of its own whose hook points at a port nothing listens on.
    const { startChat } = await import("./chat-harness.mjs");
    const lone = await startChat(["--auth-hook", `http://127.0.0.1:${deadPort}/connect`, "--hook-secret", SECRET]);
    try {
      assertRefused(await connectError(connectUser(lone, { user: "x" })), "unavailable", "backend down");
    } finally {
      closeAllClients();
      await lone.stop();
    }
  });
});

describe("--message-hook and --join-hook", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  let askedWhenSlowAnswered;
  before(async () => {
    backend = await startBackend();
    backend.answer("/message", async ({ body }) => {
      if (body.text === "slow first") {
        // A backend that answers this one late: the next message must not overtake it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        askedWhenSlowAnswered = backend.count("/message");
      }
      if (body.text.includes("darn")) return { json: { allow: false, error: "bad_word", message: "mind your words" } };
      if (body.text === "shout") return { json: { allow: true, text: "SHOUT" } };
      if (body.text === "break") return { status: 500 };
      if (body.text === "too long") return { json: { allow: true, text: "x".repeat(5000) } };
      return { json: { allow: true } };
    });
    backend.answer("/join", ({ body }) => {
      if (body.user === "err") return { status: 500 };
      return body.user === "ada" ? { json: { allow: true } } : { json: { allow: false, message: "team members only" } };
    });
  });
  after(() => backend?.close());
  const rules = configFile('[[rooms]]\nmatch = "team-*"\njoin = "hook"\nhistory = "anyone"\n[[rooms]]\nmatch = "*"\nhistory = "anyone"\n');
  const server = withChat(() => [
    "--message-hook", backend.url("/message"), "--join-hook", backend.url("/join"), "--hook-secret", SECRET,
    "--config", rules, "--rate-limit", "0", "--event-rate-limit", "0",
  ]);
  afterEach(() => {
    closeAllClients();
    backend.clear();
  });

  test("the message hook is asked {user, name, room, text, socket} before the message is stored", async () => {
    const room = uniqueRoom("mh");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    await send(ada, room, "hello");
    const req = await backend.take("/message");
    assert.deepEqual(req.body, { user: "ada", name: "ada", room, text: "hello", socket: ada.id });
    assert.ok(signatureValid(req, SECRET));
  });

  test("allowed, rewritten, refused with the backend's code, failed: only what was allowed is stored and delivered", async () => {
    const room = uniqueRoom("mh");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    await join(ada, room);
    await join(bob, room);
    const refused = await ack(ada, "message", { room, text: "darn it" });
    assert.deepEqual(refused, { ok: false, error: "bad_word", message: "mind your words" });
    assertRefusal(await ack(ada, "message", { room, text: "break" }), "unavailable", "the backend's 500");
    assertRefusal(await ack(ada, "message", { room, text: "too long" }), "unavailable", "a rewrite past --max-text");
    const id = await send(ada, room, "shout");
    const m = await bob.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "the rewritten message");
    assert.equal(m.args[0].text, "SHOUT");
    const h = await ack(bob, "history", { room });
    assert.deepEqual(h.messages.map((x) => x.text), ["SHOUT"], "nothing refused or failed was stored");
    assert.equal(bob.log.events.filter((e) => e.event === "message").length, 0, "nor delivered");
  });

  test("a socket's messages are asked about one at a time and stored in the order sent", async () => {
    const room = uniqueRoom("order");
    const ada = await openUser(server, "ada");
    await join(ada, room);
    backend.clear();
    const [first, second] = await Promise.all([
      ack(ada, "message", { room, text: "slow first" }),
      ack(ada, "message", { room, text: "then this" }),
    ]);
    assert.equal(askedWhenSlowAnswered, 1, "the second was not asked about before the first was answered");
    assert.ok(first.ok && second.ok && first.id < second.id, `${JSON.stringify(first)} ${JSON.stringify(second)}`);
    const h = await ack(ada, "history", { room });
    assert.deepEqual(h.messages.map((x) => x.text), ["then this", "slow first"], "newest first");
  });

  test('join = "hook": the join hook is asked {user, name, room, socket}; allow joins, deny is forbidden with its message', async () => {
    const ada = await openUser(server, "ada");
    const res = await join(ada, "team-red");
    assert.equal(res.room, "team-red");
    const req = await backend.take("/join");
    assert.deepEqual(req.body, { user: "ada", name: "ada", room: "team-red", socket: ada.id });
    const eve = await openUser(server, "eve");
    const no = await ack(eve, "join", "team-red");
    assert.deepEqual(no, { ok: false, error: "forbidden", message: "team members only" });
    const failing = await openUser(server, "err");
    assertRefusal(await ack(failing, "join", "team-red"), "unavailable", "the join hook's 500");
    const members = await api(server, "/api/rooms/team-red/members");
    assert.deepEqual(members.json.members, ["ada"], "neither the refused nor the failed join joined");
    // Rooms of other rules are not asked about.
    backend.clear();
    await join(eve, uniqueRoom("open"));
    assert.equal(backend.count("/join"), 0, "a room of another rule is not asked about");
  });
});

describe("--rpc EVENT=URL: the backend answers a client's event", { timeout: TEST_TIMEOUT }, () => {
  let backend;
  before(async () => {
    backend = await startBackend();
    backend.answer("/roll", ({ body }) => {
      const [arg] = body.args;
      if (arg?.fail) return { status: 500 };
      if (arg?.bad) return { json: { reply: 1, actions: [{ join: "ok-room" }, { teleport: true }] } };
      return {
        json: {
          reply: { rolled: 4, user: body.user },
          actions: [
            { emit: { to: { room: arg.room }, event: "rolled", data: { by: body.user, value: 4 } } },
            { emit: { to: { user: "bob" }, event: "for-bob", data: "psst" } },
            { join: "prize-room" },
            ...(arg.leave ? [{ leave: arg.room }] : []),
            ...(arg.bye ? [{ disconnect: true }] : []),
          ],
        },
      };
    });
  });
  after(() => backend?.close());
  const server = withChat(() => [
    "--rpc", `roll=${backend.url("/roll")}`, "--hook-secret", SECRET, "--rate-limit", "0", "--event-rate-limit", "0",
  ]);
  afterEach(() => {
    closeAllClients();
    backend.clear();
  });

  test("the request {event, args, user, name, socket, rooms, node}; the reply is the ack; the actions ran before it", async () => {
    const room = uniqueRoom("dice");
    const ada = await openUser(server, "ada");
    const bob = await openUser(server, "bob");
    const bob2 = await openUser(server, "bob");
    await join(ada, room);
    await join(bob, room);
    const reply = await ack(ada, "roll", { room });
    assert.deepEqual(reply, { rolled: 4, user: "ada" });
    const req = await backend.take("/roll");
    assert.deepEqual(Object.keys(req.body).sort(), ["args", "event", "name", "node", "rooms", "socket", "user"]);
    assert.equal(req.body.event, "roll");
    assert.deepEqual(req.body.args, [{ room }]);
    assert.equal(req.body.socket, ada.id);
    assert.deepEqual(req.body.rooms, [room], "the rooms it joined (not its own or its user's room)");
    assert.ok(signatureValid(req, SECRET));
    const rolled = await bob.log.take("rolled", WAIT, "the emit to the room");
    assert.deepEqual(rolled.args, [{ by: "ada", value: 4 }]);
    for (const s of [bob, bob2]) assert.deepEqual((await s.log.take("for-bob")).args, ["psst"], "every socket of bob");
    const members = await api(server, "/api/rooms/prize-room/members");
    assert.deepEqual(members.json.members, ["ada"], "joined by the action");
  });

  test("{disconnect: true} disconnects the socket after its ack", async () => {
    const ada = await openUser(server, "ada");
    const gone = new Promise((resolve) => ada.once("disconnect", resolve));
    const reply = await ack(ada, "roll", { room: uniqueRoom("x"), bye: true });
    assert.equal(reply.rolled, 4, "the ack came first");
    assert.equal(await gone, "io server disconnect");
  });

  test("a backend failure or an answer with one bad action → unavailable, and no action ran", async () => {
    const ada = await openUser(server, "ada");
    assertRefusal(await ack(ada, "roll", { fail: true }), "unavailable", "500");
    assertRefusal(await ack(ada, "roll", { bad: true }), "unavailable", "a bad action");
    const members = await api(server, "/api/rooms/ok-room/members");
    assert.deepEqual(members.json.members ?? [], [], "the good action before the bad one did not run");
  });
});

describe("hook flags", { timeout: TEST_TIMEOUT }, () => {
  const exits2 = async (args, pattern) => {
    const r = await runToExit(["--port", "0", ...args]);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, pattern, r.output);
  };
  test("a hook without --hook-secret → exit 2 naming it", () =>
    exits2(["--auth-hook", "http://127.0.0.1:1/c"], /--auth-hook: needs --hook-secret/));
  test("--auth-hook with a JWT key → exit 2: one identity mode", () =>
    exits2(["--auth-hook", "http://127.0.0.1:1/c", "--hook-secret", "s", "--jwt-secret", "k"], /choose one/));
  test("--rpc of a chat event, or not EVENT=URL → exit 2", async () => {
    await exits2(["--rpc", "message=http://127.0.0.1:1/m", "--hook-secret", "s"], /--rpc message/);
    await exits2(["--rpc", "roll", "--hook-secret", "s"], /EVENT=URL/);
    await exits2(["--auth-hook", "ftp://x/y", "--hook-secret", "s"], /--auth-hook/);
  });
});
