// Bad input against the chat server: invalid UTF-8 inside a Socket.IO event sent over polling ends
// that session only; static-file path traversal never serves a file outside the web root, and
// dotfiles, package.json, package-lock.json and node_modules/ inside it are 404; an oversized
// request header gets 431.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  ack,
  api,
  join,
  openUser,
  rawHttp,
  send,
  startChat,
  uniqueRoom,
  withChat,
} from "./chat-harness.mjs";

describe("invalid UTF-8 in a polling POST", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat(["--rate-limit", "0", "--event-rate-limit", "0"]);
  let witnessWs;
  let witnessPolling;
  const room = uniqueRoom("utf8");
  before(async () => {
    witnessWs = await openUser(server, "witness-ws");
    witnessPolling = await openUser(server, "witness-polling", { transports: ["polling"] });
    await join(witnessWs, room);
    await join(witnessPolling, room);
  });

  test("ends that session; the invalid message is neither delivered nor stored; other clients go on", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const hs = await api(server, "/socket.io/?EIO=4&transport=polling");
    assert.equal(hs.status, 200, hs.text);
    assert.ok(hs.text.startsWith("0{"), hs.text);
    const sid = JSON.parse(hs.text.slice(1)).sid;
    const q = `/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    const post = (body) =>
      api(server, q, { method: "POST", body, headers: { "content-type": "text/plain;charset=UTF-8" } });

    assert.equal((await post('40{"name":"mallory"}')).text, "ok");
    const connected = await api(server, q);
    assert.ok(connected.text.startsWith("40{"), `CONNECT answer: ${connected.text}`);
    // join with an ack (id 1) and read the ack, so that the session is fully in the room
    assert.equal((await post(`421["join",${JSON.stringify(room)}]`)).text, "ok");
    let polled = "";
    while (!polled.includes('431[{"ok":true')) {
      const res = await api(server, q).catch((err) => assert.fail(`no join ack over polling (${err.message}): ${polled}`));
      assert.equal(res.status, 200, res.text);
      polled += `${res.text}\x1e`;
    }

    const bad = Buffer.concat([
      Buffer.from(`42["message",{"room":${JSON.stringify(room)},"text":"bad `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}]'),
    ]);
    await api(server, q, { method: "POST", body: bad, headers: { "content-type": "text/plain;charset=UTF-8" } }).catch(
      () => {},
    );
    // the session is gone: a later request is refused (a close packet may come first)
    const deadline = Date.now() + WAIT;
    let last;
    for (;;) {
      // a GET on a live session with nothing to send would hang until the next ping
      last = await api(server, q).catch((err) =>
        assert.fail(`session ${sid} still alive after invalid UTF-8 (GET: ${err.message})`),
      );
      if (last.status === 400) break;
      assert.equal(last.status, 200, `GET on the broken session: ${last.status} ${last.text}`);
      assert.ok(
        !last.text.includes('["message"'),
        `the invalid message must not be delivered back: ${JSON.stringify(last.text)}`,
      );
      if (Date.now() > deadline) assert.fail(`session ${sid} still alive after invalid UTF-8`);
    }
    assert.deepEqual(last.json, { code: 1, message: "Session ID unknown" });

    // the witnesses are connected and answered; a message of theirs reaches both without the bad one
    assert.equal(witnessWs.connected, true);
    assert.equal(witnessPolling.connected, true);
    const id = await send(witnessWs, room, "still fine");
    for (const s of [witnessWs, witnessPolling]) {
      const events = await s.log.until((e) => e.event === "message" && e.args[0]?.id === id, WAIT, "message");
      assert.deepEqual(
        events.filter((e) => e.event === "message").map((e) => e.args[0].text),
        ["still fine"],
        "the invalid message was not delivered",
      );
    }
    const h = await ack(witnessPolling, "history", { room });
    assert.deepEqual(
      h.messages.map((m) => m.text),
      ["still fine"],
      "the invalid message was not stored",
    );
  });
});

describe("static files: path traversal", { timeout: TEST_TIMEOUT }, () => {
  let top;
  const SECRET = `secret-${process.pid}-${Date.now()}`;
  before(() => {
    // <top>/web is the web root; <top>/secret.txt sits next to it
    top = mkdtempSync(path.join(os.tmpdir(), "switchboard-webroot-"));
    mkdirSync(path.join(top, "web", "sub"), { recursive: true });
    writeFileSync(path.join(top, "web", "index.html"), "<!doctype html><title>root</title>inside-web\n");
    writeFileSync(path.join(top, "web", "sub", "page.html"), "<!doctype html>sub-page\n");
    writeFileSync(path.join(top, "secret.txt"), `${SECRET}\n`);
    // files inside the web root that are never served: dotfiles, package files, node_modules
    mkdirSync(path.join(top, "web", ".git"), { recursive: true });
    mkdirSync(path.join(top, "web", "node_modules", "lib"), { recursive: true });
    mkdirSync(path.join(top, "web", "sub", "node_modules"), { recursive: true });
    for (const f of [
      ".env",
      ".git/config",
      "sub/.hidden",
      "package.json",
      "package-lock.json",
      "sub/package.json",
      "node_modules/lib/index.js",
      "sub/node_modules/x.js",
    ]) {
      writeFileSync(path.join(top, "web", f), `${SECRET} in ${f}\n`);
    }
    writeFileSync(path.join(top, "web", "app.min.js"), "served-js\n");
  });
  const server = withChat(() => ["--web-root", path.join(top, "web")]);
  after(() => {
    if (top) rmSync(top, { recursive: true, force: true });
  });

  const get = (target) => rawHttp(server, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

  test("sanity: files inside the web root are served", async () => {
    const res = await get("/sub/page.html");
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /sub-page/);
    const idx = await get("/");
    assert.equal(idx.status, 200);
    assert.match(idx.body.toString(), /inside-web/);
  });

  const targets = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/../etc/passwd",
    "/sub/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/..%2fsecret.txt",
    "/..%2f..%2f..%2f..%2fetc/passwd",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/sub/..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/....//secret.txt",
    "/.%2e/secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/sub/%00../../secret.txt",
  ];
  for (const target of targets) {
    test(`GET ${target} → 400/403/404, never a file outside the web root`, async () => {
      const res = await get(target);
      const body = res.body.toString("latin1");
      assert.ok(!body.includes(SECRET), `served the secret next to the web root: ${res.status}`);
      assert.ok(!/root:.*:0:0:/.test(body), `served /etc/passwd: ${res.status}`);
      assert.ok([400, 403, 404].includes(res.status), `expected 400/403/404, got ${res.status} ${body.slice(0, 200)}`);
    });
  }

  test("a file name with a dot inside (not leading) is served", async () => {
    const res = await get("/app.min.js");
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /served-js/);
  });

  for (const target of [
    "/.env",
    "/.git/config",
    "/sub/.hidden",
    "/%2eenv",
    "/%2Egit/config",
    "/package.json",
    "/package-lock.json",
    "/sub/package.json",
    "/node_modules/lib/index.js",
    "/sub/node_modules/x.js",
    "/node_modules%2flib%2findex.js",
    "/%6eode_modules/lib/index.js",
  ]) {
    test(`GET ${target} (inside the web root) → 404`, async () => {
      const res = await get(target);
      const body = res.body.toString("latin1");
      assert.ok(!body.includes(SECRET), `served a hidden file: ${res.status} ${body.slice(0, 200)}`);
      assert.equal(res.status, 404, `expected 404, got ${res.status} ${body.slice(0, 200)}`);
    });
  }

  test("the built-in web root: traversal to /etc/passwd is refused too", async () => {
    const builtIn = await startChat([]);
    try {
      for (const target of ["/../../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd"]) {
        const res = await rawHttp(builtIn, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        assert.ok(!/root:.*:0:0:/.test(res.body.toString("latin1")), `${target} served /etc/passwd`);
        assert.ok([400, 403, 404].includes(res.status), `${target}: got ${res.status}`);
      }
    } finally {
      await builtIn.stop();
    }
  });
});

describe("oversized request header", { timeout: TEST_TIMEOUT }, () => {
  const server = withChat([]);

  test("a 20 KB header → 431, and the server goes on", async () => {
    const res = await rawHttp(
      server,
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(res.status, 431, `got ${res.status}`);
    const ok = await api(server, "/healthz");
    assert.equal(ok.status, 200);
  });

  test("many headers adding up to 20 KB → 431", async () => {
    let headers = "";
    for (let i = 0; i < 40; i++) headers += `X-H${i}: ${"b".repeat(512)}\r\n`;
    const res = await rawHttp(server, `GET /healthz HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`);
    assert.equal(res.status, 431, `got ${res.status}`);
    assert.equal((await api(server, "/healthz")).status, 200);
  });
});
