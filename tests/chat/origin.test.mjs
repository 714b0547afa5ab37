// --cors-origin is an allow-list for WebSocket upgrades too (CORS does not cover WebSockets: a
// browser opens one to any site): an upgrade from a page of another origin is refused as Node's
// engine.io refuses one (400, "Forbidden"); listed origins, the server's own pages and clients
// without an Origin header (not browsers) connect.
import assert from "node:assert/strict";
import { test } from "node:test";
import { io } from "socket.io-client";
import WebSocket from "ws";
import { WAIT, withChat, withTimeout } from "./chat-harness.mjs";

const server = withChat(["--cors-origin", "https://app.example"]);

// Opens a raw Engine.IO WebSocket with `origin` (none when undefined); resolves with the first
// message, or with {status, body} of a refused upgrade.
function upgrade(origin) {
  const ws = new WebSocket(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`, origin ? { origin } : {});
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once("message", (data) => {
        ws.terminate();
        resolve({ open: data.toString() });
      });
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      });
      ws.once("error", (err) => (err.message.includes("Unexpected server response") ? null : reject(err)));
    }),
    WAIT,
    `the upgrade from ${origin ?? "no origin"}`,
  );
}

test("a listed origin, the server's own origin and no origin may open a WebSocket", async () => {
  for (const origin of ["https://app.example", `http://${server.host}:${server.port}`, undefined]) {
    const r = await upgrade(origin);
    assert.ok(r.open?.startsWith("0{"), `${origin}: ${JSON.stringify(r)}`);
  }
});

test("another origin is refused with 400 Forbidden, and the server goes on", async () => {
  for (const origin of ["https://evil.example", "https://app.example.evil.example", "null"]) {
    assert.deepEqual(await upgrade(origin), { status: 400, body: "Forbidden" }, origin);
  }
  const s = io(server.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { name: "ada" } });
  try {
    await withTimeout(new Promise((r) => s.once("connect", r)), WAIT, "a client without Origin to connect");
  } finally {
    s.disconnect();
  }
});
