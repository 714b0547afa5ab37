// Socket.IO v5 conformance tests (path /socket.io/).
//
// Server under test: namespace "/" emits "auth" (handshake auth) on
// connection, answers "message" with "message-back" (same args) and acks
// "message-with-ack" with the same args; namespace "/custom" emits "auth".
// No other namespace exists.
//
// Covers every case of the official Socket.IO v5 test suite (Engine.IO part
// on /socket.io/ + Socket.IO part), plus a few stricter checks.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import {
  EIO_ERRORS,
  PING_INTERVAL,
  PING_TIMEOUT,
  TEST_TIMEOUT,
  WAIT_TIMEOUT,
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

// Delay used only to order two concurrent HTTP requests.
const ORDERING_DELAY = 30;

const PH0 = '{"_placeholder":true,"num":0}';
const PH1 = '{"_placeholder":true,"num":1}';

let server;
let eio;

before(async () => {
  server = await startServer();
  eio = engineIo(server, "/socket.io/");
});

after(async () => {
  closeAllSockets();
  await server?.stop();
});

afterEach(() => closeAllSockets());

// Parses a CONNECT reply `40[<nsp>,]{"sid":"..."}` and checks it has only `sid`.
function assertConnectReply(frame, nspPrefix = "") {
  const head = `40${nspPrefix}`;
  assert.ok(frame.startsWith(head), `expected ${head}{"sid":...}, got ${JSON.stringify(frame)}`);
  const payload = JSON.parse(frame.slice(head.length));
  assert.deepEqual(Object.keys(payload), ["sid"], "CONNECT reply must hold only `sid`");
  assert.equal(typeof payload.sid, "string");
  assert.ok(payload.sid.length > 0);
  return payload.sid;
}

// WebSocket session connected to "/" (EIO open, CONNECT reply and "auth" consumed).
async function connectMain() {
  const { socket } = await eio.openWebSocket();
  socket.send("40");
  assertConnectReply(await socket.nextText());
  assert.equal(await socket.nextText(), '42["auth",{}]');
  return socket;
}

// Collects `count` packets from successive long-poll GETs (pings skipped).
async function pollPackets(sid, count) {
  const packets = [];
  const deadline = Date.now() + WAIT_TIMEOUT;
  while (packets.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`got only ${JSON.stringify(packets)} (wanted ${count} packets)`);
    const res = await eio.poll(sid, { timeout: left });
    assert.equal(res.status, 200, `GET failed: ${res.status} ${res.text}`);
    packets.push(...res.text.split("\x1e").filter((p) => p !== "2"));
  }
  assert.equal(packets.length, count, `too many packets: ${JSON.stringify(packets)}`);
  return packets;
}

describe("Socket.IO v5 / Engine.IO layer: handshake", () => {
  describe("HTTP long-polling", () => {
    test("opens a session", T, async () => {
      const res = await http(eio.pollingUrl());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type")?.toLowerCase(), "text/plain; charset=utf-8");
      assert.ok(res.text.startsWith("0"), `body must start with the open packet: ${res.text}`);
      assertOpen(JSON.parse(res.text.slice(1)), { upgrades: ["websocket"] });
    });

    test("rejects a missing or invalid 'EIO' query parameter", T, async () => {
      for (const query of ["?transport=polling", "?EIO=abc&transport=polling"]) {
        assertEioError(await http(`${eio.httpBase}${query}`), EIO_ERRORS.UNSUPPORTED_PROTOCOL_VERSION);
      }
    });

    test("rejects a missing or invalid 'transport' query parameter", T, async () => {
      for (const query of ["?EIO=4", "?EIO=4&transport=abc"]) {
        assertEioError(await http(`${eio.httpBase}${query}`), EIO_ERRORS.UNKNOWN_TRANSPORT);
      }
    });

    test("rejects a handshake with a method other than GET", T, async () => {
      for (const method of ["POST", "PUT"]) {
        const res = await http(eio.pollingUrl(), { method, body: "" });
        assertEioError(res, EIO_ERRORS.BAD_HANDSHAKE_METHOD);
      }
    });

    test("handshake response allows any origin (CORS)", T, async () => {
      const res = await http(eio.pollingUrl(), { headers: { origin: "http://example.test" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
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
        assert.deepEqual(await socket.waitClose(), [], "no packet may be sent before the close");
      }
    });

    test("refuses a missing or invalid 'transport' query parameter", T, async () => {
      for (const query of ["?EIO=4", "?EIO=4&transport=abc"]) {
        const socket = openSocket(`${eio.wsBase}${query}`);
        assert.deepEqual(await socket.waitClose(), [], "no packet may be sent before the close");
      }
    });
  });
});

describe("Socket.IO v5 / Engine.IO layer: heartbeat", () => {
  test("HTTP long-polling: sends pings and accepts pongs", T, async () => {
    const { sid } = await eio.openPolling();
    for (let i = 0; i < 3; i++) {
      assertPollBody(await eio.poll(sid), "2");
      assertPostOk(await eio.post(sid, "3"));
    }
  });

  test("HTTP long-polling: closes the session upon ping timeout", T, async () => {
    const { sid } = await eio.openPolling();
    await sleep(PING_INTERVAL + PING_TIMEOUT);
    assertEioError(await eio.poll(sid), EIO_ERRORS.UNKNOWN_SID);
  });

  test("WebSocket: sends pings and accepts pongs", T, async () => {
    const { socket } = await eio.openWebSocket();
    for (let i = 0; i < 3; i++) {
      assert.equal(await socket.nextText(), "2");
      socket.send("3");
    }
    socket.close();
  });

  test("WebSocket: closes the session upon ping timeout", T, async () => {
    const socket = openSocket(eio.websocketUrl());
    const before = await socket.waitClose();
    assert.ok(before.length >= 1 && before[0].data.startsWith("0"), "open packet first");
    assert.ok(
      before.slice(1).every((m) => m.data === "2"),
      `only pings may follow the open packet: ${JSON.stringify(before)}`,
    );
  });
});

describe("Socket.IO v5 / Engine.IO layer: close", () => {
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

describe("Socket.IO v5 / Engine.IO layer: upgrade", () => {
  test("upgrades from HTTP long-polling to WebSocket", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = openSocket(eio.websocketUrl(sid));
    await socket.waitOpen();
    socket.send("2probe");
    assert.equal(await socket.nextText(), "3probe");
    assertPollBody(await eio.poll(sid), "6");
    socket.send("5");
    // the upgraded transport carries the Socket.IO session
    socket.send("40");
    assertConnectReply(await socket.nextText());
    assert.equal(await socket.nextText(), '42["auth",{}]');
    socket.close();
  });

  test("rejects HTTP requests with the same sid after the upgrade", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = await eio.upgrade(sid);
    // a reply on the WebSocket proves the upgrade packet was processed
    socket.send("40");
    assertConnectReply(await socket.nextText());
    assert.equal(await socket.nextText(), '42["auth",{}]');

    assertEioError(await eio.poll(sid), EIO_ERRORS.BAD_REQUEST);
    socket.close();
  });

  test("rejects a second WebSocket with the same sid after the upgrade", T, async () => {
    const { sid } = await eio.openPolling();
    const socket = await eio.upgrade(sid);
    socket.send("40");
    assertConnectReply(await socket.nextText());
    assert.equal(await socket.nextText(), '42["auth",{}]');

    const socket2 = openSocket(eio.websocketUrl(sid));
    assert.deepEqual(await socket2.waitClose(), [], "the second WebSocket must get nothing");

    socket.send('42["message","still here"]');
    assert.equal(await socket.nextText(), '42["message-back","still here"]');
    socket.close();
  });
});

describe("Socket.IO v5: connect", () => {
  test("connects to the main namespace", T, async () => {
    const { socket, open } = await eio.openWebSocket();
    socket.send("40");
    const sid = assertConnectReply(await socket.nextText());
    assert.notEqual(sid, open.sid, "the socket id is not the Engine.IO session id");
    assert.equal(await socket.nextText(), '42["auth",{}]');
    socket.close();
  });

  test("connects to the main namespace with a payload", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send('40{"token":"123"}');
    assertConnectReply(await socket.nextText());
    assert.equal(await socket.nextText(), '42["auth",{"token":"123"}]');
    socket.close();
  });

  test("connects to a custom namespace", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send("40/custom,");
    assertConnectReply(await socket.nextText(), "/custom,");
    assert.equal(await socket.nextText(), '42/custom,["auth",{}]');
    socket.close();
  });

  test("connects to a custom namespace with a payload", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send('40/custom,{"token":"abc"}');
    assertConnectReply(await socket.nextText(), "/custom,");
    assert.equal(await socket.nextText(), '42/custom,["auth",{"token":"abc"}]');
    socket.close();
  });

  test("refuses an unknown namespace and keeps the connection", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send("40/random");
    assert.equal(await socket.nextText(), '44/random,{"message":"Invalid namespace"}');
    // the Engine.IO connection stays usable
    socket.send("40");
    assertConnectReply(await socket.nextText());
    assert.equal(await socket.nextText(), '42["auth",{}]');
    socket.close();
  });

  test("closes the connection upon an invalid handshake", T, async () => {
    const { socket } = await eio.openWebSocket();
    socket.send("4abc");
    assert.deepEqual(await socket.waitClose(), [], "closed on the spot, before any ping");
  });

  test("closes the connection if no handshake is received", T, async () => {
    const socket = openSocket(eio.websocketUrl());
    const before = await socket.waitClose();
    assert.ok(before.length >= 1 && before[0].data.startsWith("0"), "open packet first");
  });

  test("connects over HTTP long-polling", T, async () => {
    const { sid } = await eio.openPolling();
    assertPostOk(await eio.post(sid, '40{"token":"poll"}'));
    const [reply, auth] = await pollPackets(sid, 2);
    assertConnectReply(reply);
    assert.equal(auth, '42["auth",{"token":"poll"}]');
  });
});

describe("Socket.IO v5: disconnect", () => {
  test("disconnects from the main namespace", T, async () => {
    const socket = await connectMain();
    socket.send("41");
    // no reply and no close: the next frame is the Engine.IO ping
    assert.equal(await socket.nextText(), "2");
    socket.close();
  });

  test("connects to then disconnects from a custom namespace", T, async () => {
    const socket = await connectMain();
    assert.equal(await socket.nextText(), "2");
    socket.send("3");

    socket.send("40/custom");
    assertConnectReply(await socket.nextText(), "/custom,");
    assert.equal(await socket.nextText(), '42/custom,["auth",{}]');

    socket.send("41/custom");
    socket.send('42["message","message to main namespace"]');
    assert.equal(await socket.nextText({ skipPings: true }), '42["message-back","message to main namespace"]');
    socket.close();
  });
});

describe("Socket.IO v5: message", () => {
  test("sends a plain-text event", T, async () => {
    const socket = await connectMain();
    socket.send('42["message",1,"2",{"3":[true]}]');
    assert.equal(await socket.nextText(), '42["message-back",1,"2",{"3":[true]}]');
    socket.close();
  });

  test("sends an event with binary attachments", T, async () => {
    const socket = await connectMain();
    socket.send(`452-["message",${PH0},${PH1}]`);
    socket.send(Uint8Array.from([1, 2, 3]));
    socket.send(Uint8Array.from([4, 5, 6]));
    assert.equal(await socket.nextText({ skipPings: true }), `452-["message-back",${PH0},${PH1}]`);
    assert.deepEqual(await socket.nextBinary({ skipPings: true }), Buffer.from([1, 2, 3]));
    assert.deepEqual(await socket.nextBinary({ skipPings: true }), Buffer.from([4, 5, 6]));
    socket.close();
  });

  test("sends a plain-text event with an ack", T, async () => {
    const socket = await connectMain();
    socket.send('42456["message-with-ack",1,"2",{"3":[false]}]');
    assert.equal(await socket.nextText(), '43456[1,"2",{"3":[false]}]');
    socket.close();
  });

  test("sends an event with binary attachments and an ack", T, async () => {
    const socket = await connectMain();
    socket.send(`452-789["message-with-ack",${PH0},${PH1}]`);
    socket.send(Uint8Array.from([1, 2, 3]));
    socket.send(Uint8Array.from([4, 5, 6]));
    assert.equal(await socket.nextText({ skipPings: true }), `462-789[${PH0},${PH1}]`);
    assert.deepEqual(await socket.nextBinary({ skipPings: true }), Buffer.from([1, 2, 3]));
    assert.deepEqual(await socket.nextBinary({ skipPings: true }), Buffer.from([4, 5, 6]));
    socket.close();
  });

  test("sends an event with binary attachments over HTTP long-polling", T, async () => {
    const { sid } = await eio.openPolling();
    assertPostOk(await eio.post(sid, "40"));
    const [reply, auth] = await pollPackets(sid, 2);
    assertConnectReply(reply);
    assert.equal(auth, '42["auth",{}]');

    assertPostOk(await eio.post(sid, `452-["message",${PH0},${PH1}]\x1ebAQID\x1ebBAUG`));
    assert.deepEqual(await pollPackets(sid, 3), [`452-["message-back",${PH0},${PH1}]`, "bAQID", "bBAUG"]);
  });

  for (const [name, packet] of [
    ["unknown packet type", "4abc"],
    ["invalid payload format", "42{}"],
    ["invalid ack id", '42abc["message-with-ack",1,"2",{"3":[false]}]'],
  ]) {
    test(`closes the connection upon invalid format (${name})`, T, async () => {
      const socket = await connectMain();
      socket.send(packet);
      assert.deepEqual(await socket.waitClose(), [], "closed on the spot, before any ping");
    });
  }
});
