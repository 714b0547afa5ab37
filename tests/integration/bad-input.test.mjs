// Malformed input: each offending connection is closed, and an unrelated client
// (the official socket.io-client, connected beforehand) keeps working. Oversized
// payloads and bad HTTP requests get the documented errors.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  TEST_TIMEOUT,
  WAIT,
  RawFrameSocket,
  assertEchoes,
  closeAllClients,
  closeAllRaw,
  encodeFrame,
  http,
  openClient,
  openRawSession,
  startServer,
  waitSessions,
} from "./harness.mjs";

const CLOSE_WAIT = 3000;

// asserts the HTTP answer is 400 {"code":code,"message":message}
function assertEioError(res, code, message) {
  assert.equal(res.status, 400, `expected 400, got ${res.status} ${res.text}`);
  assert.deepEqual(JSON.parse(res.text), { code, message });
}

describe("malformed packets", { timeout: TEST_TIMEOUT }, () => {
  let server;
  let witnessWs;
  let witnessPolling;

  before(async () => {
    server = await startServer();
    witnessWs = await openClient(server, "/", { transports: ["websocket"] }, "witness-ws");
    witnessPolling = await openClient(server, "/", { transports: ["polling"] }, "witness-polling");
  });
  afterEach(async () => {
    closeAllRaw();
    // the unrelated clients are still connected and answered
    assert.equal(witnessWs.connected, true, "the WebSocket witness must stay connected");
    assert.equal(witnessPolling.connected, true, "the polling witness must stay connected");
  });
  after(async () => {
    closeAllRaw();
    closeAllClients();
    await server?.stop();
  });

  async function witnessesWork() {
    await assertEchoes(witnessWs);
    await assertEchoes(witnessPolling);
  }

  // a raw `ws` session connected to "/", then `send(ws)`; the server must close it
  async function expectWsClosed(send, what) {
    const { ws } = await openRawSession(server, { connect: true });
    send(ws);
    const { code, before } = await ws.waitClose(CLOSE_WAIT, `the server to close the connection after ${what}`);
    // nothing but pings may be answered to a malformed packet
    const answers = before.filter((m) => m.isBinary || m.data !== "2");
    assert.deepEqual(answers, [], `unexpected answer to ${what}`);
    await witnessesWork();
    return code;
  }

  const textCases = [
    ["Engine.IO garbage", "abc"],
    ["an unknown Engine.IO packet type", "9"],
    ["an empty text frame", ""],
    ["Socket.IO garbage", "4abc"],
    ["an unknown Socket.IO packet type", "49[]"],
    ["an EVENT with an object payload", "42{}"],
    ["an EVENT with a junk ack id", '42abc["x"]'],
    ["an EVENT with an empty array", "42[]"],
    ["an EVENT with truncated JSON", '42["echo",'],
  ];
  for (const [name, text] of textCases) {
    test(`WebSocket: ${name} (${JSON.stringify(text)}) closes the connection`, async () => {
      await expectWsClosed((ws) => ws.send(text), JSON.stringify(text));
    });
  }

  test('WebSocket: a BINARY_EVENT announcing 1 attachment followed by a TEXT frame closes the connection', async () => {
    await expectWsClosed((ws) => {
      ws.send('451-["x",{"_placeholder":true,"num":0}]');
      ws.send('42["echo","not an attachment"]');
    }, "451-[...] then a text frame");
  });

  test("WebSocket: a BINARY_EVENT with a bad attachment count (451-[\"x\"]) then a TEXT frame closes the connection", async () => {
    await expectWsClosed((ws) => {
      ws.send('451-["x"]');
      ws.send('42["echo","not an attachment"]');
    }, '451-["x"] then a text frame');
  });

  test("WebSocket: a binary frame that is not an expected attachment closes the connection", async () => {
    await expectWsClosed((ws) => ws.send(Buffer.from([1, 2, 3])), "an unexpected binary frame");
  });

  test("WebSocket: a text frame with invalid UTF-8 closes the connection", async () => {
    const raw = await new RawFrameSocket(server).connect();
    await raw.handshake();
    // '42["echo","' + 0xff 0xfe + '"]'
    raw.write(encodeFrame(0x1, Buffer.concat([Buffer.from('42["echo","'), Buffer.from([0xff, 0xfe]), Buffer.from('"]')])));
    await raw.waitTcpClose(CLOSE_WAIT, "the server to close the connection after invalid UTF-8");
    if (raw.closeFrame) {
      assert.equal(raw.closeFrame.code, 1007, "RFC 6455: invalid UTF-8 in a text frame → 1007");
    }
    await witnessesWork();
  });

  test("WebSocket: an unmasked client frame closes the connection", async () => {
    const raw = await new RawFrameSocket(server).connect();
    await raw.handshake();
    raw.write(encodeFrame(0x1, '42["echo","unmasked"]', { mask: false }));
    await raw.waitTcpClose(CLOSE_WAIT, "the server to close the connection after an unmasked frame");
    // the unmasked frame must not have been processed
    assert.ok(
      raw.frames.every((f) => f.opcode !== 0x1 || !f.payload.toString().includes("unmasked")),
      `the unmasked frame was processed: ${JSON.stringify(raw.frames.map((f) => f.payload.toString()))}`,
    );
    if (raw.closeFrame) assert.equal(raw.closeFrame.code, 1002, "RFC 6455: protocol error → 1002");
    await witnessesWork();
  });

  test("WebSocket: a frame with a reserved opcode closes the connection", async () => {
    const raw = await new RawFrameSocket(server).connect();
    await raw.handshake();
    raw.write(encodeFrame(0x3, "x"));
    await raw.waitTcpClose(CLOSE_WAIT, "the server to close the connection after opcode 3");
    await witnessesWork();
  });

  test("the well-formed raw baseline is answered (sanity check of the raw helpers)", async () => {
    const { ws } = await openRawSession(server, { connect: true });
    ws.send('42["echo","ok"]');
    assert.equal(await ws.nextText(WAIT, "the echo"), '42["echo","ok"]');
    const raw = await new RawFrameSocket(server).connect();
    await raw.handshake();
    raw.sendText('42["echo","raw"]');
    assert.equal(await raw.nextText(WAIT, "the echo"), '42["echo","raw"]');
  });

  // The same malformed payloads over HTTP long-polling: the POST fails (400) and
  // the session is closed, i.e. its sid becomes unknown.
  const pollingCases = [
    ["Engine.IO garbage", "abc"],
    ["Socket.IO garbage", "4abc"],
    ["an EVENT with an object payload", "42{}"],
    ["an EVENT with a junk ack id", '42abc["x"]'],
  ];
  for (const [name, body] of pollingCases) {
    test(`polling: ${name} (${JSON.stringify(body)}) closes the session`, async () => {
      const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
      const hs = await http(base);
      assert.equal(hs.status, 200);
      const sid = JSON.parse(hs.text.slice(1)).sid;
      const url = `${base}&sid=${encodeURIComponent(sid)}`;
      assert.equal((await http(url, { method: "POST", body: "40" })).text, "ok");
      const connected = await http(url);
      assert.ok(connected.text.startsWith("40{"), connected.text);
      await http(url, { method: "POST", body }).catch(() => {});
      // the session is gone: a later request is refused (a close packet may come first)
      const deadline = Date.now() + CLOSE_WAIT;
      let last;
      for (;;) {
        last = await http(url);
        if (last.status === 400) break;
        assert.equal(last.status, 200);
        assert.ok(
          /(^|\x1e)1$/.test(last.text) || last.text === "6",
          `expected only a close (1) or noop (6) packet on the broken session, got ${JSON.stringify(last.text)}`,
        );
        if (Date.now() > deadline) assert.fail(`session ${sid} still alive after ${JSON.stringify(body)}`);
      }
      assertEioError(last, 1, "Session ID unknown");
      await witnessesWork();
    });
  }
});

describe("oversized payloads (--max-payload 1000)", { timeout: TEST_TIMEOUT }, () => {
  let server;
  let witness;
  before(async () => {
    server = await startServer(["--max-payload", "1000"]);
    witness = await openClient(server, "/", { transports: ["websocket"] }, "witness");
  });
  after(async () => {
    closeAllRaw();
    closeAllClients();
    await server?.stop();
  });

  test("the open packet announces maxPayload 1000", async () => {
    const { open } = await openRawSession(server, { connect: false });
    assert.equal(open.maxPayload, 1000);
  });

  test("a WebSocket message of exactly 1000 bytes is accepted", async () => {
    const { ws } = await openRawSession(server, { connect: true });
    const prefix = '42["echo","';
    const suffix = '"]';
    const msg = prefix + "x".repeat(1000 - prefix.length - suffix.length) + suffix;
    assert.equal(Buffer.byteLength(msg), 1000);
    ws.send(msg);
    assert.equal(await ws.nextText(WAIT, "the echo"), msg);
  });

  test("a WebSocket message over 1000 bytes closes that WebSocket with 1009", async () => {
    const { ws } = await openRawSession(server, { connect: true });
    ws.send('42["echo","' + "x".repeat(1200) + '"]');
    const { code } = await ws.waitClose(CLOSE_WAIT, "the server to close the oversized WebSocket");
    assert.equal(code, 1009);
    await assertEchoes(witness);
  });

  test("a binary WebSocket attachment over 1000 bytes closes that WebSocket with 1009", async () => {
    const { ws } = await openRawSession(server, { connect: true });
    ws.send('451-["echo",{"_placeholder":true,"num":0}]');
    ws.send(Buffer.alloc(1500, 7));
    const { code } = await ws.waitClose(CLOSE_WAIT, "the server to close the oversized WebSocket");
    assert.equal(code, 1009);
    await assertEchoes(witness);
  });

  test("a polling POST over 1000 bytes gets 413", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const hs = await http(base);
    assert.equal(hs.status, 200);
    const sid = JSON.parse(hs.text.slice(1)).sid;
    const url = `${base}&sid=${encodeURIComponent(sid)}`;
    const res = await http(url, {
      method: "POST",
      body: '42["echo","' + "x".repeat(1200) + '"]',
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
    assert.equal(res.status, 413, `expected 413, got ${res.status} ${res.text}`);
    await assertEchoes(witness);
  });

  // The server answers before the client has sent the whole body, and must not reset the
  // connection under the answer by closing with the rest unread.
  test("a polling POST of 4 MB gets its 413 while it is still being sent", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const sid = JSON.parse((await http(base)).text.slice(1)).sid;
    for (let i = 0; i < 5; i++) {
      const res = await http(`${base}&sid=${encodeURIComponent(sid)}`, {
        method: "POST",
        body: "4" + "z".repeat(4 << 20),
        headers: { "content-type": "text/plain;charset=UTF-8" },
      });
      assert.equal(res.status, 413, `attempt ${i}: expected 413, got ${res.status} ${res.text}`);
    }
    await assertEchoes(witness);
  });

  test("a polling POST of exactly 1000 bytes is accepted", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const hs = await http(base);
    const sid = JSON.parse(hs.text.slice(1)).sid;
    const url = `${base}&sid=${encodeURIComponent(sid)}`;
    const prefix = '40\x1e42["echo","';
    const suffix = '"]';
    const body = prefix + "y".repeat(1000 - prefix.length - suffix.length) + suffix;
    assert.equal(Buffer.byteLength(body), 1000);
    const res = await http(url, { method: "POST", body });
    assert.equal(res.status, 200, `expected 200, got ${res.status} ${res.text}`);
  });
});

describe("bad HTTP requests", { timeout: TEST_TIMEOUT }, () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('unknown sid → 400 {"code":1,"message":"Session ID unknown"}', async () => {
    const res = await http(`${server.url}/socket.io/?EIO=4&transport=polling&sid=doesnotexist`);
    assertEioError(res, 1, "Session ID unknown");
    const post = await http(`${server.url}/socket.io/?EIO=4&transport=polling&sid=doesnotexist`, {
      method: "POST",
      body: "40",
    });
    assertEioError(post, 1, "Session ID unknown");
  });

  test("bad transport → 400 code 0", async () => {
    const res = await http(`${server.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
    assertEioError(res, 0, "Transport unknown");
    const missing = await http(`${server.url}/socket.io/?EIO=4`);
    assertEioError(missing, 0, "Transport unknown");
  });

  test("bad EIO → 400 code 5", async () => {
    for (const eio of ["3", "5", "x"]) {
      const res = await http(`${server.url}/socket.io/?EIO=${eio}&transport=polling`);
      assertEioError(res, 5, "Unsupported protocol version");
    }
  });

  test("the server still accepts sessions afterwards, and counts none of the refused ones", async () => {
    await waitSessions(server, (n) => n === 0, WAIT, "no session from the refused requests");
    const s = await openClient(server, "/", { transports: ["polling"] });
    await assertEchoes(s);
    closeAllClients();
  });
});
