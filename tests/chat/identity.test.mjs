// Identity on namespace "/": auth {name} (trimmed, 1 to 32 code points, no control or format
// character: Unicode Cc, Cf, Zl, Zp), and with --jwt-secret an HS256 JWT in auth {token} whose sub
// (required) is the user; exp and nbf have 30 s of leeway. Refusals reach connect_error with
// message "unauthorized" and data {error, message}.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  closeAllClients,
  connectError,
  connectUser,
  join,
  jwt,
  nowSeconds,
  openUser,
  send,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

function assertRefused(err, code, what) {
  assert.equal(err.message, "unauthorized", `${what}: connect_error message`);
  assert.ok(err.data && typeof err.data === "object", `${what}: err.data is an object: ${JSON.stringify(err.data)}`);
  assert.equal(err.data.error, code, `${what}: err.data = ${JSON.stringify(err.data)}`);
  assert.equal(typeof err.data.message, "string", `${what}: err.data.message`);
}

// The user name the server gave a connected socket, seen in its own join ack and message.
async function userOf(server, socket) {
  const room = uniqueRoom("whoami");
  const res = await join(socket, room);
  assert.equal(res.members.length, 1, JSON.stringify(res));
  const id = await send(socket, room, "who am I");
  const ev = await socket.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "own message");
  assert.equal(ev.args[0].user, res.members[0], "the message's user is the member name");
  return ev.args[0].user;
}

describe("auth {name}", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());

  const refused = [
    ["no auth at all", undefined],
    ["auth {}", {}],
    ['name ""', { name: "" }],
    ["name of spaces only", { name: "   " }],
    ["a 33-character name", { name: "n".repeat(33) }],
    ["a 33-character name after trimming", { name: `  ${"n".repeat(33)}  ` }],
    ["name: 42 (not a string)", { name: 42 }],
    ["name: null", { name: null }],
    ['name: ["ada"]', { name: ["ada"] }],
    // control and format characters (Cc, Cf, Zl, Zp), anywhere in the name
    ["a name with NUL (U+0000)", { name: "ada\u0000" }],
    ["a name with a tab inside", { name: "ad\ta" }],
    ["a name with a newline inside", { name: "ad\na" }],
    ["a name with DEL (U+007F)", { name: "ada\u007f" }],
    ["a name with a C1 control (U+0085)", { name: "ada\u0085" }],
    ["a name with RIGHT-TO-LEFT OVERRIDE (U+202E)", { name: "ada\u202egnp.exe" }],
    ["a name with ZERO WIDTH SPACE (U+200B)", { name: "ad\u200ba" }],
    ["a name with a BOM (U+FEFF)", { name: "\ufeffada" }],
    ["a name with LINE SEPARATOR (U+2028)", { name: "ada\u2028bob" }],
    ["a name with PARAGRAPH SEPARATOR (U+2029)", { name: "ada\u2029bob" }],
    ["a name of format characters only", { name: "\u200b\u200b" }],
  ];
  for (const [label, auth] of refused) {
    for (const transport of ["websocket", "polling"]) {
      test(`${label} over ${transport} → connect_error unauthorized / unauthorized`, async () => {
        const s = connectUser(server, auth, { transports: [transport] }, label);
        assertRefused(await connectError(s), "unauthorized", label);
        assert.equal(s.connected, false);
      });
    }
  }

  test("a 32-character name is accepted (ASCII and 32 × é)", async () => {
    const a = await openUser(server, "n".repeat(32));
    assert.equal(await userOf(server, a), "n".repeat(32));
    const e = await openUser(server, "é".repeat(32));
    assert.equal(await userOf(server, e), "é".repeat(32));
  });

  test('the name is trimmed: "  ada  " is "ada" in members, messages and presence', async () => {
    const room = uniqueRoom("trim");
    const bob = await openUser(server, "bob");
    await join(bob, room);
    const ada = await openUser(server, "  ada  ");
    const res = await join(ada, room);
    assert.deepEqual(res.members, ["ada", "bob"]);
    const p = await bob.log.take(
      (e) => e.event === "presence" && e.args[0]?.action === "join" && e.args[0]?.room === room && e.args[0]?.user !== "bob",
      WAIT,
      "presence of ada",
    );
    assert.deepEqual(p.args, [{ room, user: "ada", name: "ada", action: "join" }]);
    const id = await send(ada, room, "hi");
    const m = await bob.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "ada's message");
    assert.equal(m.args[0].user, "ada");
  });
});

describe("--jwt-secret s3cret", { timeout: TEST_TIMEOUT }, () => {
  const SECRET = "s3cret";
  // --auth-failure-limit 0: this block presents more refused tokens from 127.0.0.1 than the
  // default budget (30 a minute) allows, and is not about that limit.
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0", "--auth-failure-limit", "0", "--jwt-secret", SECRET]);
  afterEach(() => closeAllClients());

  test("a valid HS256 token with sub: the user is sub", async () => {
    const s = await openUser(server, { token: jwt({ sub: "grace" }, SECRET) }, {}, "sub");
    assert.equal(await userOf(server, s), "grace");
  });

  test("a token with both sub and name: sub wins", async () => {
    const s = await openUser(server, { token: jwt({ sub: "grace", name: "other" }, SECRET) }, {}, "sub+name");
    assert.equal(await userOf(server, s), "grace");
  });

  test("the name claim is the display name: messages, history and presence carry {user: sub, name}", async () => {
    const room = uniqueRoom("named");
    const bob = await openUser(server, { token: jwt({ sub: "bob" }, SECRET) }, {}, "bob");
    await join(bob, room);
    const grace = await openUser(server, { token: jwt({ sub: "g-17", name: "Grace H." }, SECRET) }, {}, "grace");
    await join(grace, room);
    const p = await bob.log.take((e) => e.event === "presence" && e.args[0]?.user === "g-17", WAIT, "grace's presence");
    assert.deepEqual(p.args, [{ room, user: "g-17", name: "Grace H.", action: "join" }]);
    const id = await send(grace, room, "hello");
    const m = await bob.log.take((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "grace's message");
    assert.equal(m.args[0].user, "g-17");
    assert.equal(m.args[0].name, "Grace H.");
    const own = await send(bob, room, "hi");
    const mine = await bob.log.take((e) => e.event === "message" && e.args[0]?.id === own, WAIT, "bob's message");
    assert.equal(mine.args[0].name, "bob", "no name claim: the name is sub");
    const h = await ack(bob, "history", { room });
    assert.deepEqual(
      h.messages.map((x) => [x.user, x.name, x.text]),
      [["bob", "bob", "hi"], ["g-17", "Grace H.", "hello"]],
    );
    grace.disconnect();
    const left = await bob.log.take((e) => e.event === "presence" && e.args[0]?.action === "leave", WAIT, "grace left");
    assert.deepEqual(left.args, [{ room, user: "g-17", name: "Grace H.", action: "leave" }]);
  });

  test("a token with only a name claim (no sub) → connect_error unauthorized / invalid_token", async () => {
    const s = connectUser(server, { token: jwt({ name: "linus" }, SECRET) }, {}, "name only");
    assertRefused(await connectError(s), "invalid_token", "a token without sub");
    assert.equal(s.connected, false);
  });

  test("a token whose sub is not a string, even with a valid name → invalid_token", async () => {
    for (const sub of [42, null, ["grace"]]) {
      const s = connectUser(server, { token: jwt({ sub, name: "linus" }, SECRET) }, {}, `sub ${JSON.stringify(sub)} + name`);
      assertRefused(await connectError(s), "invalid_token", `sub: ${JSON.stringify(sub)} with a name`);
    }
  });

  test("a token with a future exp is accepted, also over polling", async () => {
    const token = jwt({ sub: "tim", exp: nowSeconds() + 3600, iat: nowSeconds() }, SECRET);
    const s = await openUser(server, { token }, { transports: ["polling"] }, "future exp");
    assert.equal(await userOf(server, s), "tim");
  });

  const unauthorized = [
    ["no auth at all", undefined],
    ["auth {} (no token)", {}],
    ["auth {name} without a token", { name: "ada" }],
    ['token ""', { token: "" }],
  ];
  for (const [label, auth] of unauthorized) {
    test(`${label} → connect_error unauthorized / unauthorized`, async () => {
      const s = connectUser(server, auth, {}, label);
      assertRefused(await connectError(s), "unauthorized", label);
    });
  }

  const invalid = [
    ["a bad signature (other secret)", () => jwt({ sub: "mallory" }, "wrong-secret")],
    [
      "a tampered payload",
      () => {
        const [h, , sig] = jwt({ sub: "ada" }, SECRET).split(".");
        const p = Buffer.from(JSON.stringify({ sub: "root" })).toString("base64url");
        return `${h}.${p}.${sig}`;
      },
    ],
    ["garbage", () => "not-a-jwt"],
    ["three garbage segments", () => "a.b.c"],
    ['alg "none" without signature', () => jwt({ sub: "mallory" }, SECRET, { alg: "none" })],
    [
      'alg "none" with the HS256 signature attached',
      () => {
        const good = jwt({ sub: "mallory" }, SECRET).split(".");
        const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
        return `${none}.${good[1]}.${good[2]}`;
      },
    ],
    [
      "an HS512 header over an HS256 signature",
      () => {
        const hs256 = jwt({ sub: "mallory" }, SECRET).split(".");
        const header = Buffer.from(JSON.stringify({ alg: "HS512", typ: "JWT" })).toString("base64url");
        return `${header}.${hs256[1]}.${hs256[2]}`;
      },
    ],
    ["no sub and no name", () => jwt({ role: "admin" }, SECRET)],
    ["a correctly signed payload that is not JSON", () => jwt("not json", SECRET)],
    ["a correctly signed payload that is a JSON array", () => jwt('["ada"]', SECRET)],
  ];
  for (const alg of ["HS384", "HS512"]) {
    test(`an ${alg} token with the right secret is accepted (HMAC tokens of any SHA-2 size)`, async () => {
      await openUser(server, { token: jwt({ sub: `hmac-${alg}` }, SECRET, { alg }) }, {}, alg);
    });
  }

  for (const [label, make] of invalid) {
    test(`${label} → connect_error unauthorized / invalid_token`, async () => {
      const s = connectUser(server, { token: make() }, {}, label);
      assertRefused(await connectError(s), "invalid_token", label);
    });
  }

  for (const [label, token] of [
    ["token: 42", 42],
    ["token: null", null],
    ['token: ["x"]', ["x"]],
    ["token: {}", {}],
  ]) {
    test(`${label} (not a string) → connect_error unauthorized (unauthorized or invalid_token); the server keeps running`, async () => {
      const s = connectUser(server, { token }, {}, label);
      const err = await connectError(s);
      assert.equal(err.message, "unauthorized");
      assert.ok(
        ["unauthorized", "invalid_token"].includes(err.data?.error),
        `err.data = ${JSON.stringify(err.data)}`,
      );
      assert.equal(server.alive(), true, `the server died:\n${server.output()}`);
    });
  }

  test("a token whose sub is not a string (and no name) → invalid_token", async () => {
    const s = connectUser(server, { token: jwt({ sub: 42 }, SECRET) }, {}, "sub 42");
    assertRefused(await connectError(s), "invalid_token", "sub: 42");
    assert.equal(server.alive(), true, `the server died:\n${server.output()}`);
  });

  test('a token with exp: "tomorrow" (not a number) is refused or ignored, never crashes the server', async () => {
    const s = connectUser(server, { token: jwt({ sub: "ada", exp: "tomorrow" }, SECRET) }, {}, "exp string");
    const outcome = await new Promise((resolve) => {
      s.once("connect", () => resolve({ connected: true }));
      s.once("connect_error", (err) => resolve({ err }));
      setTimeout(() => resolve({ timeout: true }), WAIT); // bounded; checked below
    });
    assert.equal(server.alive(), true, `the server died:\n${server.output()}`);
    assert.ok(!outcome.timeout, "neither connect nor connect_error");
    if (outcome.err) {
      assert.equal(outcome.err.message, "unauthorized");
      assert.ok(["invalid_token", "token_expired"].includes(outcome.err.data?.error), JSON.stringify(outcome.err.data));
    }
  });

  test("a non-integer exp (RFC 7519 NumericDate) in the past → token_expired", async () => {
    const past = connectUser(server, { token: jwt({ sub: "ada", exp: nowSeconds() - 60.5 }, SECRET) }, {}, "exp -60.5");
    assertRefused(await connectError(past), "token_expired", "exp now-60.5");
  });

  test("a non-integer exp (RFC 7519 NumericDate) in the future is accepted", async () => {
    const token = jwt({ sub: "fut", exp: nowSeconds() + 3600.5 }, SECRET);
    const future = await openUser(server, { token }, {}, "exp +3600.5");
    assert.equal(await userOf(server, future), "fut");
  });

  test("exp and nbf have 30 s of leeway: exp 10 s ago and nbf 10 s ahead are accepted", async () => {
    const lateExp = await openUser(server, { token: jwt({ sub: "late", exp: nowSeconds() - 10 }, SECRET) }, {}, "exp -10");
    assert.equal(await userOf(server, lateExp), "late");
    const earlyNbf = await openUser(server, { token: jwt({ sub: "early", nbf: nowSeconds() + 10 }, SECRET) }, {}, "nbf +10");
    assert.equal(await userOf(server, earlyNbf), "early");
  });

  test("nbf past the leeway (60 s ahead) → connect_error unauthorized / invalid_token", async () => {
    const s = connectUser(server, { token: jwt({ sub: "ada", nbf: nowSeconds() + 60 }, SECRET) }, {}, "nbf +60");
    assertRefused(await connectError(s), "invalid_token", "nbf now+60");
  });

  test("a token whose exp is in the past → connect_error unauthorized / token_expired", async () => {
    const token = jwt({ sub: "ada", exp: nowSeconds() - 60 }, SECRET);
    const s = connectUser(server, { token }, {}, "expired");
    assertRefused(await connectError(s), "token_expired", "expired token");
  });

  test("after refusals the server still accepts a valid token", async () => {
    const s = await openUser(server, { token: jwt({ sub: "ok" }, SECRET) }, {}, "valid");
    const room = uniqueRoom("jwt-ok");
    assert.deepEqual(await ack(s, "join", room), { ok: true, room, history: [], members: ["ok"] });
  });
});
