// Engine.IO v4 conformance tests (path /engine.io/, echo server).
//
// Covers every case of the official Engine.IO v4 test suite, plus a few
// stricter checks (exact error bodies, content types, CORS, maxPayload).

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  EIO_ERRORS,
  MAX_PAYLOAD,
  PING_INTERVAL,
  PING_TIMEOUT,
  TEST_TIMEOUT,
  assertEioError,
  assertOpen,
  assertPollBody,
  assertPostOk,
  closeAllSockets,
  engineIo,
  http,
  openSocket,
  sleep,
  startServer,
} from "./harness.mjs";

const T = { timeout: TEST_TIMEOUT };

// Delay used only to order two concurrent HTTP requests (the first one must
// reach the server before the second one is sent).
const ORDERING_DELAY = 30;

let server;
let eio;

before(async () => {
  server = await startServer();
  eio = engineIo(server, "/engine.io/");
});

after(async () => {
  closeAllSockets();
  await server?.stop();
});

afterEach(() => closeAllSockets());

describe("Engine.IO v4: handshake", () => {
  describe("HTTP long-polling", () => {
    test("opens a session", T, async () => {
      const res = await http(eio.pollingUrl());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type")?.toLowerCase(), "text/plain; charset=utf-8");
      assert.ok(res.text.startsWith("0"), `body must start with the open packet: ${res.text}`);
      // the body holds the open packet only
      const open = JSON.parse(res.text.slice(1));
      assertOpen(open, { upgrades: ["websocket"] });

      const { sid: other } = await eio.openPolling();
      assert.notEqual(other, open.sid, "each handshake gets a new sid");
    });

    test("rejects a missing or invalid 'EIO' query parameter", T, async () => {
      for (const query of ["?transport=polling", "?EIO=abc&transport=polling", "?EIO=3&transport=polling"]) {
        const res = await http(`${eio.httpBase}${query}`);
        assertEioError(res, EIO_ERRORS.UNSUPPORTED_PROTOCOL_VERSION);
      }
    });

    test("rejects a missing or invalid 'transport' query parameter", T, async () => {
      for (const query of ["?EIO=4", "?EIO=4&transport=abc"]) {
        const res = await http(`${eio.httpBase}${query}`);
        assertEioError(res, EIO_ERRORS.UNKNOWN_TRANSPORT);
      }
    });

    test("rejects a handshake with a method other than GET", T, async () => {
      for (const method of ["POST", "PUT"]) {
        const res = await http(eio.pollingUrl(), { method, body: "" });
        assertEioError(res, EIO_ERRORS.BAD_HANDSHAKE_METHOD);
      }
    });

    test("rejects an unknown sid", T, async () => {
      const res = await eio.poll("does-not-exist");
      assertEioError(res, EIO_ERRORS.UNKNOWN_SID);
      const res2 = await eio.post("does-not-exist", "4hello");
      assertEioError(res2, EIO_ERRORS.UNKNOWN_SID);
    });
  });

  describe("CORS (origin *)", () => {
    test("handshake response allows any origin", T, async () => {
      const res = await http(eio.pollingUrl(), { headers: { origin: "http://example.test" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
    });

    test("error response allows any origin", T, async () => {
      const res = await http(`${eio.httpBase}?EIO=4&transport=abc`, {
        headers: { origin: "http://example.test" },
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
    });

    test("OPTIONS preflight is answered with 204", T, async () => {
      const res = await http(eio.pollingUrl(), {
        method: "OPTIONS",
        headers: {
          origin: "http://example.test",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.text, "");
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      const methods = (res.headers.get("access-control-allow-methods") ?? "").toUpperCase();
      assert.match(methods, /\bGET\b/);
      assert.match(methods, /\bPOST\b/);
    });
  });

  describe("WebSocket", () => {
    test("opens a session", T, async () => {
      const socket = openSocket(eio.websocketUrl());
      const first = await socket.nextMessage();
      assert.equal(first.isBinary, false);
      assert.ok(first.data.startsWith("0"), `first frame must be the open packet: ${first.data}`);
      assertOpen(JSON.parse(first.data.slice(1)), { upgrades: [] });
      socket.close();
    });

    test("refuses a missing or invalid 'EIO' query parameter", T, async () => {
      for (const query of ["?transport=websocket", "?EIO=abc&transport=websocket"]) {
        const socket = openSocket(`${eio.wsBase}${query}`);
        const before = await socket.waitClose();
        assert.deepEqual(before, [], "no packet may be sent before the close");
      }
    });

    test("refuses a missing or invalid 'transport' query parameter", T, async () => {
      for (const query of ["?EIO=4", "?EIO=4&transport=abc"]) {
        const socket = openSocket(`${eio.wsBase}${query}`);
        const before = await socket.waitClose();
        assert.deepEqual(before, [], "no packet may be sent before the close");
      }
    });
  });
});

describe("Engine.IO v4: message", () => {
  describe("HTTP long-polling", () => {
    test("echoes a payload with one text packet", T, async () => {
      const { sid } = await eio.openPolling();
      assertPostOk(await eio.post(sid, "4hello"));
      const res = await eio.poll(sid);
      assertPollBody(res, "4hello");
      assert.equal(res.headers.get("content-type")?.toLowerCase(), "text/plain; charset=utf-8");
    });

    test("echoes a payload with several text packets", T, async () => {
      const { sid } = await eio.openPolling();
      assertPostOk(await eio.post(sid, "4test1\x1e4test2\x1e4test3"));
      assertPollBody(await eio.poll(sid), "4test1\x1e4test2\x1e4test3");
    });

    test("echoes a payload with text and binary packets", T, async () => {
      const { sid } = await eio.openPolling();
      assertPostOk(await eio.post(sid, "4hello\x1ebAQIDBA=="));
      assertPollBody(await eio.poll(sid), "4hello\x1ebAQIDBA==");
    });

    test("echoes UTF-8 text unchanged", T, async () => {
      const { sid } = await eio.openPolling();
      const text = "4h\u00e9llo \u20ac \u{1F600}";
      assertPostOk(await eio.post(sid, text));
      assertPollBody(await eio.poll(sid), text);
    });

    test("closes the session upon an invalid packet format", T, async () => {
      const { sid } = await eio.openPolling();
      try {
        const res = await eio.post(sid, "abc");
        // Node answers 200 "ok" and closes the session; 400 is also fine.
        assert.ok([200, 400].includes(res.status), `unexpected status ${res.status}`);
      } catch (err) {
        // the server may also drop the connection
        if (err.name === "AssertionError") throw err;
      }
      assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
    });

    test("closes the session upon duplicate poll requests", T, async () => {
      const { sid } = await eio.openPolling();
      const first = eio.poll(sid);
      await sleep(ORDERING_DELAY);
      const second = http(eio.pollingUrl(sid, "&t=burst"));
      const [res1, res2] = await Promise.all([first, second]);
      assertPollBody(res1, "1");
      assert.ok([400, 500].includes(res2.status), `second GET: expected 400 or 500, got ${res2.status}`);
      assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
    });

    test("closes the session upon a cancelled polling request", T, async () => {
      const { sid } = await eio.openPolling();
      const controller = new AbortController();
      const pending = eio.poll(sid, { signal: controller.signal }).catch(() => {});
      await sleep(ORDERING_DELAY);
      controller.abort();
      await pending;
      assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
    });

    test("accepts a POST body of exactly maxPayload bytes", T, async () => {
      const { sid } = await eio.openPolling();
      const body = "4" + "x".repeat(MAX_PAYLOAD - 1);
      assertPostOk(await eio.post(sid, body));
      assertPollBody(await eio.poll(sid), body);
    });

    test("rejects a POST body larger than maxPayload with 413", T, async () => {
      const { sid } = await eio.openPolling();
      let res;
      try {
        res = await eio.post(sid, "4" + "x".repeat(MAX_PAYLOAD));
      } catch (err) {
        assert.fail(`POST failed without a response: ${err.cause?.message ?? err.message}`);
      }
      assert.equal(res.status, 413);
    });
  });

  describe("WebSocket", () => {
    test("echoes a text packet", T, async () => {
      const { socket } = await eio.openWebSocket();
      socket.send("4hello");
      const msg = await socket.nextMessage();
      assert.equal(msg.isBinary, false);
      assert.equal(msg.data, "4hello");
      socket.close();
    });

    test("echoes a binary packet", T, async () => {
      const { socket } = await eio.openWebSocket();
      socket.send(Uint8Array.from([1, 2, 3, 4]));
      const msg = await socket.nextMessage();
      assert.equal(msg.isBinary, true);
      assert.deepEqual(msg.data, Buffer.from([1, 2, 3, 4]));
      socket.close();
    });

    test("echoes several packets in order", T, async () => {
      const { socket } = await eio.openWebSocket();
      socket.send("4a");
      socket.send(Uint8Array.from([9]));
      socket.send("4\u00e9\u20ac");
      assert.equal(await socket.nextText(), "4a");
      assert.deepEqual(await socket.nextBinary(), Buffer.from([9]));
      assert.equal(await socket.nextText(), "4\u00e9\u20ac");
      socket.close();
    });

    test("closes the session upon an invalid packet format", T, async () => {
      const { socket } = await eio.openWebSocket();
      socket.send("abc");
      const before = await socket.waitClose();
      // closed on the spot, not later by the ping timeout
      assert.deepEqual(before, [], "nothing (not even a ping) may arrive before the close");
    });
  });
});

describe("Engine.IO v4: heartbeat", () => {
  describe("HTTP long-polling", () => {
    test("sends pings and accepts pongs", T, async () => {
      const { sid } = await eio.openPolling();
      for (let i = 0; i < 3; i++) {
        assertPollBody(await eio.poll(sid), "2");
        assertPostOk(await eio.post(sid, "3"));
      }
    });

    test("closes the session upon ping timeout", T, async () => {
      const { sid } = await eio.openPolling();
      await sleep(PING_INTERVAL + PING_TIMEOUT);
      assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
    });
  });

  describe("WebSocket", () => {
    test("sends pings and accepts pongs", T, async () => {
      const { socket } = await eio.openWebSocket();
      for (let i = 0; i < 3; i++) {
        assert.equal(await socket.nextText(), "2");
        socket.send("3");
      }
      socket.close();
    });

    test("closes the session upon ping timeout", T, async () => {
      const socket = openSocket(eio.websocketUrl());
      const before = await socket.waitClose();
      assert.equal(before.length, 2, `expected open + one ping, got ${JSON.stringify(before)}`);
      assert.ok(before[0].data.startsWith("0"));
      assert.equal(before[1].data, "2");
    });
  });
});

describe("Engine.IO v4: close", () => {
  test("HTTP long-polling: a close packet ends the session", T, async () => {
    const { sid } = await eio.openPolling();
    const pending = eio.poll(sid);
    await sleep(ORDERING_DELAY);
    const postRes = await eio.post(sid, "1");
    assert.equal(postRes.status, 200);
    assertPollBody(await pending, "6");
    assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
  });

  test("WebSocket: a close packet ends the session", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send("1");
    // Node closes only through the ping timeout here; closing at once is preferred.
    await socket.waitClose();
  });
});

describe("Engine.IO v4: upgrade", () => {
  test("upgrades from HTTP long-polling to WebSocket", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = openSocket(eio.websocketUrl(sid));
    await socket.waitOpen();
    socket.send("2probe");
    assert.equal(await socket.nextText(), "3probe");

    // the GET issued during the upgrade is released with a noop
    assertPollBody(await eio.poll(sid), "6");

    socket.send("5");
    socket.send("4hello");
    assert.equal(await socket.nextText(), "4hello");
    socket.close();
  });

  test("rejects HTTP requests with the same sid after the upgrade", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = await eio.upgrade(sid);
    // the echo proves the upgrade packet was processed
    socket.send("4hello");
    assert.equal(await socket.nextText(), "4hello");

    assertEioError(await eio.poll(sid), EIO_ERRORS.BAD_REQUEST);

    socket.send("4again");
    assert.equal(await socket.nextText(), "4again");
    socket.close();
  });

  test("rejects a second WebSocket with the same sid after the upgrade", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = await eio.upgrade(sid);
    socket.send("4hello");
    assert.equal(await socket.nextText(), "4hello");

    const socket2 = openSocket(eio.websocketUrl(sid));
    const before = await socket2.waitClose();
    assert.deepEqual(before, [], "the second WebSocket must get nothing");

    socket.send("4again");
    assert.equal(await socket.nextText(), "4again");
    socket.close();
  });
});
