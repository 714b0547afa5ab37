// Identity with public keys and key sets, the claims a token is checked for, a token's expiry
// while connected and at recovery, and the room rules of the config file (docs/design.md#identity,
// docs/design.md#room-access). Keys and tokens are made here with node:crypto, as an identity
// provider makes them.

import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { signJwt } from "../lib/jwt.mjs";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  api,
  assertRefusal,
  b64url,
  closeAllClients,
  connectError,
  connectUser,
  join,
  nowSeconds,
  openUser,
  runToExit,
  send,
  startChat,
  uniqueRoom,
  withChat,
  withTimeout,
} from "./chat-harness.mjs";

const dir = mkdtempSync(path.join(os.tmpdir(), "switchboard-access-"));
function file(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (pair) => pair.publicKey.export({ type: "spki", format: "pem" });

// A JWS compact token signed as RFC 7518 says for `alg`, with extra header fields.
const token = (claims, alg, key, header = {}) => signJwt(claims, alg, key, { header: { alg, typ: "JWT", ...header } });

function assertRefused(err, code, what) {
  assert.equal(err.message, "unauthorized", `${what}: ${JSON.stringify(err)}`);
  assert.equal(err.data?.error, code, `${what}: ${JSON.stringify(err.data)}`);
}

async function refusedWith(server, tok, code, what) {
  assertRefused(await connectError(connectUser(server, { token: tok }, {}, what)), code, what);
}

// The user the server gave a socket: the only member of a fresh room it joins.
async function userOf(socket) {
  const res = await join(socket, uniqueRoom("whoami"));
  return res.members[0];
}

describe("--jwt-public-key (PEM): RS256, PS256 with an RSA key", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--jwt-public-key", file("rsa.pem", pem(rsa))]);
  afterEach(() => closeAllClients());

  for (const alg of ["RS256", "RS512", "PS256"]) {
    test(`a ${alg} token of the key's holder names the user by sub`, async () => {
      const s = await openUser(server, { token: token({ sub: `u-${alg}` }, alg, rsa.privateKey) });
      assert.equal(await userOf(s), `u-${alg}`);
    });
  }

  test("HS256 signed with the public key's text as the secret is refused (no algorithm confusion)", async () => {
    await refusedWith(server, token({ sub: "mallory" }, "HS256", pem(rsa)), "invalid_token", "HS256 with the PEM");
  });

  test('alg "none" and a token of another key are refused', async () => {
    const none = `${b64url('{"alg":"none"}')}.${b64url('{"sub":"mallory"}')}.`;
    await refusedWith(server, none, "invalid_token", "alg none");
    const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await refusedWith(server, token({ sub: "mallory" }, "RS256", otherRsa.privateKey), "invalid_token", "another key");
  });
});

describe("--jwt-public-key: ES256 and EdDSA", { timeout: TEST_TIMEOUT }, () => {
  const es = withChat(["--jwt-public-key", file("p256.pem", pem(p256))]);
  const eddsa = withChat(["--jwt-public-key", file("ed.pem", pem(ed))]);
  afterEach(() => closeAllClients());

  test("ES256 with its curve's key", async () => {
    const s = await openUser(es, { token: token({ sub: "ec-user" }, "ES256", p256.privateKey) });
    assert.equal(await userOf(s), "ec-user");
  });

  test("EdDSA with an Ed25519 key; an ES256 token does not verify with it", async () => {
    const s = await openUser(eddsa, { token: token({ sub: "ed-user" }, "EdDSA", ed.privateKey) });
    assert.equal(await userOf(s), "ed-user");
    await refusedWith(eddsa, token({ sub: "x" }, "ES256", p256.privateKey), "invalid_token", "ES256 vs Ed25519");
  });
});

describe("--jwks FILE: keys by kid", { timeout: TEST_TIMEOUT }, () => {
  const jwk = (pair, kid) => ({ ...pair.publicKey.export({ format: "jwk" }), kid, use: "sig" });
  const set = { keys: [jwk(rsa, "r1"), jwk(p256, "e1"), { kty: "RSA", use: "enc", n: "AQAB", e: "AQAB" }] };
  const server = withChat(["--jwks", file("jwks.json", JSON.stringify(set))]);
  afterEach(() => closeAllClients());

  test("a token names its key by kid", async () => {
    const a = await openUser(server, { token: token({ sub: "by-r1" }, "RS256", rsa.privateKey, { kid: "r1" }) });
    assert.equal(await userOf(a), "by-r1");
    const b = await openUser(server, { token: token({ sub: "by-e1" }, "ES256", p256.privateKey, { kid: "e1" }) });
    assert.equal(await userOf(b), "by-e1");
  });

  test("an unknown kid, or a kid whose key did not sign it, is refused", async () => {
    await refusedWith(server, token({ sub: "x" }, "ES256", other.privateKey, { kid: "e9" }), "invalid_token", "kid e9");
    await refusedWith(server, token({ sub: "x" }, "ES256", other.privateKey, { kid: "e1" }), "invalid_token", "wrong key");
  });
});

describe("--jwks URL: fetched at start and again for an unknown kid", { timeout: TEST_TIMEOUT }, () => {
  const jwk = (pair, kid) => ({ ...pair.publicKey.export({ format: "jwk" }), kid, use: "sig" });
  const k1 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const k2 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  // The identity provider, on loopback: it serves `set` and counts the fetches.
  let set = { keys: [jwk(k1, "k1")] };
  let fetches = 0;
  const provider = http.createServer((req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(set));
  });
  let server;
  before(async () => {
    await new Promise((resolve) => provider.listen(0, "127.0.0.1", resolve));
    server = await startChat(["--jwks", `http://127.0.0.1:${provider.address().port}/jwks.json`]);
  });
  after(async () => {
    await server?.stop();
    await new Promise((resolve) => provider.close(resolve));
  });
  afterEach(() => closeAllClients());

  test("the key set is fetched at start", async () => {
    assert.equal(fetches, 1);
    const s = await openUser(server, { token: token({ sub: "by-k1" }, "ES256", k1.privateKey, { kid: "k1" }) });
    assert.equal(await userOf(s), "by-k1");
  });

  test("a rotated key is fetched when a token names it; a made-up kid right after fetches nothing more", async () => {
    set = { keys: [jwk(k1, "k1"), jwk(k2, "k2")] };
    const s = await openUser(server, { token: token({ sub: "by-k2" }, "ES256", k2.privateKey, { kid: "k2" }) });
    assert.equal(await userOf(s), "by-k2");
    assert.equal(fetches, 2, "one fetch for the new kid");
    await refusedWith(server, token({ sub: "x" }, "ES256", other.privateKey, { kid: "k9" }), "invalid_token", "kid k9");
    assert.equal(fetches, 2, "at most one fetch per 30 s");
  });

  test("a node whose key set cannot be fetched does not start", async () => {
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await runToExit(["--port", "0", "--data-dir", dir, "--jwks", `http://127.0.0.1:${port}/jwks.json`], 10000);
    assert.equal(res.code, 1, res.output);
    assert.match(res.output, /--jwks http:\/\/127\.0\.0\.1:\d+\/jwks\.json: connecting/);
  });
});

describe("claims: nbf, iss, aud (--jwt-issuer, --jwt-audience)", { timeout: TEST_TIMEOUT }, () => {
  const SECRET = "claims-secret";
  const server = withChat(["--jwt-secret", SECRET, "--jwt-issuer", "https://id.example", "--jwt-audience", "chat"]);
  afterEach(() => closeAllClients());
  const good = { iss: "https://id.example", aud: "chat" };

  test("iss and aud as configured are accepted (aud may be a list)", async () => {
    await openUser(server, { token: token({ sub: "a", ...good }, "HS256", SECRET) });
    await openUser(server, { token: token({ sub: "b", ...good, aud: ["x", "chat"] }, "HS512", SECRET) });
  });

  test("another issuer, another audience, or none of either is refused invalid_token", async () => {
    for (const [label, claims] of [
      ["iss other", { sub: "a", iss: "https://evil.example", aud: "chat" }],
      ["aud other", { sub: "a", iss: "https://id.example", aud: "other" }],
      ["no iss", { sub: "a", aud: "chat" }],
      ["no aud", { sub: "a", iss: "https://id.example" }],
    ]) {
      await refusedWith(server, token(claims, "HS256", SECRET), "invalid_token", label);
    }
  });

  test("nbf more than 30 s ahead is refused; within the leeway it is accepted", async () => {
    await refusedWith(server, token({ sub: "a", ...good, nbf: nowSeconds() + 120 }, "HS256", SECRET), "invalid_token", "nbf +120");
    await openUser(server, { token: token({ sub: "a", ...good, nbf: nowSeconds() + 10 }, "HS256", SECRET) });
  });

  test("exp passed by more than 30 s is token_expired; by less it is accepted", async () => {
    await refusedWith(server, token({ sub: "a", ...good, exp: nowSeconds() - 40 }, "HS256", SECRET), "token_expired", "exp -40");
    await openUser(server, { token: token({ sub: "a", ...good, exp: nowSeconds() - 10 }, "HS256", SECRET) });
  });
});

describe("a token's expiry: while connected, and at recovery", { timeout: TEST_TIMEOUT }, () => {
  const SECRET = "expiry-secret";
  const server = withChat(["--jwt-secret", SECRET]);
  afterEach(() => closeAllClients());

  test("a socket whose token expires (exp + 30 s leeway) is closed with a transport close", async () => {
    // Past its exp by 28 s: accepted (with 2 s to spare, however late in its second the token was
    // made), and due to close within about two seconds.
    const s = await openUser(server, { token: token({ sub: "short", exp: nowSeconds() - 28 }, "HS256", SECRET) });
    const reason = await withTimeout(new Promise((resolve) => s.once("disconnect", resolve)), 5000, "the expiry close");
    assert.equal(reason, "transport close");
  });

  test("a socket with a long-lived token stays connected past that moment", async () => {
    const s = await openUser(server, { token: token({ sub: "long", exp: nowSeconds() + 3600 }, "HS256", SECRET) });
    const witness = await openUser(server, { token: token({ sub: "w", exp: nowSeconds() - 28 }, "HS256", SECRET) });
    await withTimeout(new Promise((resolve) => witness.once("disconnect", resolve)), 5000, "the witness's close");
    assert.ok(s.connected, "the long-lived socket is still connected");
  });

  test("recovery checks the token again: an expired one does not get the session back", async () => {
    const room = uniqueRoom("recover");
    const tok = token({ sub: "rec", exp: nowSeconds() - 28 }, "HS256", SECRET);
    const s = connectUser(server, { token: tok }, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50 });
    await withTimeout(new Promise((resolve) => s.once("connect", resolve)), WAIT, "first connect");
    await join(s, room);
    // The server closes the transport at expiry; the client comes back with its pid and offset
    // and the same, now expired, token.
    const err = await withTimeout(new Promise((resolve) => s.once("connect_error", resolve)), 8000, "recovery refused");
    assertRefused(err, "token_expired", "recovery with an expired token");
    assert.equal(s.recovered, false);
  });

  test("recovery with a fresh token of the same user gets the session back", async () => {
    const room = uniqueRoom("recover-ok");
    let tok = token({ sub: "rec2", exp: nowSeconds() - 28 }, "HS256", SECRET);
    const s = connectUser(server, (cb) => cb({ token: tok }), {
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 50,
    });
    await withTimeout(new Promise((resolve) => s.once("connect", resolve)), WAIT, "first connect");
    await join(s, room);
    tok = token({ sub: "rec2", exp: nowSeconds() + 3600 }, "HS256", SECRET);
    await withTimeout(new Promise((resolve) => s.once("disconnect", resolve)), 5000, "expiry close");
    await withTimeout(new Promise((resolve) => s.once("connect", resolve)), 5000, "reconnect");
    assert.equal(s.recovered, true, "recovered with the fresh token");
  });
});

describe("room rules ([[rooms]] in the config file)", { timeout: TEST_TIMEOUT }, () => {
  const SECRET = "rooms-secret";
  const config = file(
    "rooms.toml",
    [
      "# rules as an operator writes them",
      "[[rooms]]",
      'match = "team-*"',
      'join = "token"',
      "[[rooms]]",
      'match = "news"',
      'send = "nobody"',
      'history = "anyone"',
      "[[rooms]]",
      'match = "quiet-*"',
      "presence = false",
      "[[rooms]]",
      'match = "small"',
      "max-members = 2",
      "[[rooms]]",
      'match = "locked"',
      'join = "nobody"',
      "",
    ].join("\n"),
  );
  const server = withChat(["--config", config, "--jwt-secret", SECRET, "--rate-limit", "0", "--event-rate-limit", "0"]);
  afterEach(() => closeAllClients());
  const user = (sub, claims = {}, opts = {}) =>
    openUser(server, { token: token({ sub, ...claims }, "HS256", SECRET) }, opts, sub);

  test('join = "token": the rooms claim grants the rooms its patterns match, nothing else', async () => {
    const ada = await user("ada", { rooms: ["team-red", "team-ops-*"] });
    assert.equal((await join(ada, "team-red")).ok, true);
    assert.equal((await join(ada, "team-ops-1")).ok, true);
    assertRefusal(await ack(ada, "join", "team-blue"), "forbidden", "team-blue");
    const bob = await user("bob");
    assertRefusal(await ack(bob, "join", "team-red"), "forbidden", "no rooms claim");
  });

  test('send = "nobody": members read, nobody sends; the API publishes', async () => {
    const ada = await user("ada");
    assert.equal((await join(ada, "news")).ok, true);
    assertRefusal(await ack(ada, "message", { room: "news", text: "hi" }), "forbidden", "send to news");
    assertRefusal(await ack(ada, "typing", { room: "news" }), "forbidden", "typing in news");
    const res = await api(server, "/api/publish", { json: { room: "news", event: "headline", data: "from the API" } });
    assert.equal(res.status, 200, res.text);
    const ev = await ada.log.take((e) => e.event === "headline", WAIT, "the API's headline");
    assert.equal(ev.args[0], "from the API");
  });

  test('history: members by default; "anyone" lets a non-member read', async () => {
    const ada = await user("ada");
    const room = uniqueRoom("members-only");
    await join(ada, room);
    await send(ada, room, "hello");
    const bob = await user("bob");
    assertRefusal(await ack(bob, "history", { room }), "forbidden", "history of a room bob is not in");
    assert.equal((await ack(bob, "history", { room: "news" })).ok, true, "news: history anyone");
    assert.equal((await ack(ada, "history", { room })).messages.length, 1, "a member reads it");
  });

  test("presence = false: no presence events, an empty members list", async () => {
    const ada = await user("ada");
    const room = uniqueRoom("quiet-");
    await join(ada, room);
    const bob = await user("bob");
    const res = await join(bob, room);
    assert.deepEqual(res.members, []);
    // A message after bob's join: had a presence event been sent, it would have come first.
    const id = await send(bob, room, "after the join");
    const seen = await ada.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "bob's message");
    assert.ok(seen);
    assert.equal(ada.log.events.filter((e) => e.event === "presence").length, 0, "no presence event reached ada");
  });

  test("max-members = 2: a third user is refused room_full; a member's second socket is not", async () => {
    const a = await user("m1");
    const b = await user("m2");
    assert.equal((await join(a, "small")).ok, true);
    assert.equal((await join(b, "small")).ok, true);
    const c = await user("m3");
    assertRefusal(await ack(c, "join", "small"), "room_full", "third user");
    const a2 = await user("m1");
    assert.equal((await join(a2, "small")).ok, true, "m1's second socket");
  });

  test('join = "nobody": refused forbidden', async () => {
    const ada = await user("ada");
    assertRefusal(await ack(ada, "join", "locked"), "forbidden", "locked");
  });

  test("every socket of a user is in its user: room, and nobody else: an emit to user:ada reaches ada's sockets only", async () => {
    const ada1 = await user("ada");
    const ada2 = await user("ada", {}, { transports: ["polling"] });
    const mallory = await user("mallory");
    const res = await api(server, "/api/publish", { json: { room: "user:ada", event: "note", data: "for ada" } });
    assert.equal(res.status, 200, res.text);
    for (const s of [ada1, ada2]) assert.deepEqual((await s.log.take((e) => e.event === "note", WAIT, "note")).args, ["for ada"]);
    const sync = (await join(mallory, uniqueRoom("sync"))).room;
    const id = await send(mallory, sync, "sync");
    await mallory.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "sync");
    assert.equal(mallory.log.events.filter((e) => e.event === "note").length, 0, "mallory heard nothing");
    // A user's room is the server's: its own user neither sends nor types there, nor leaves it.
    assertRefusal(await ack(ada1, "message", { room: "user:ada", text: "self" }), "forbidden", "message to user:ada");
    assertRefusal(await ack(ada1, "leave", "user:ada"), "forbidden", "ada leaving user:ada");
    // It is not a chat room: no presence in it, not listed.
    const rooms = await api(server, "/api/rooms");
    assert.equal(rooms.json.rooms.filter((r) => r.room.startsWith("user:")).length, 0, rooms.text);
  });

  test("user: rooms and live socket ids cannot be joined: no one hears another socket's private emits", async () => {
    const ada = await user("ada");
    const mallory = await user("mallory");
    assertRefusal(await ack(mallory, "join", "user:ada"), "forbidden", "user:ada");
    assertRefusal(await ack(mallory, "leave", "user:ada"), "forbidden", "leave user:ada");
    assertRefusal(await ack(mallory, "join", ada.id), "forbidden", "ada's socket id");
    // The API's emit to ada's own room reaches ada, not mallory.
    const res = await api(server, "/api/publish", { json: { room: ada.id, event: "private", data: "for ada" } });
    assert.equal(res.status, 200, res.text);
    await ada.log.take((e) => e.event === "private", WAIT, "ada's private event");
    const id = await send(ada, (await join(ada, uniqueRoom("after"))).room, "sync");
    await ada.log.take((e) => e.event === "message" && e.args[0].id === id, WAIT, "sync");
    assert.equal(mallory.log.events.filter((e) => e.event === "private").length, 0, "mallory heard nothing");
  });
});
