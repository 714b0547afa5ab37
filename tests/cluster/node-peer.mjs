// A Node.js Socket.IO 4 server that joins a Redis cluster through the official
// @socket.io/redis-adapter (classic createAdapter, node-redis pub/sub clients). It speaks the part of
// the chat contract of docs/user-guide.md that the cluster tests need, so that the same
// socket.io-client code drives it and a Switchboard node:
//
// - `join` "room" | {room}: socket.join(room); ack {ok:true, room, history:[], members:[]}
// - `leave` "room" | {room}: socket.leave(room); ack {ok:true}
// - `message` {room, text}: the sender must be in the room; io.to(room).emit("message",
//   {id:0, room, user, text, ts}); ack {ok:true}
// - the server-side event `ping` (serverSideEmit with an acknowledgement) is answered with
//   {node: <peer id>}, the same question every Switchboard node answers (docs/design.md#cluster).
//
// startNodePeer({redisUrl, key?, requestsTimeout?, name?, mode?}) runs it in-process and returns
// {url, io, adapter, uid, name, pub, sub, close()}. mode "sharded" uses createShardedAdapter
// (subscriptionMode "dynamic", channelPrefix = key) instead of the classic createAdapter.

import http from "node:http";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";
import { withTimeout } from "../lib/server-process.mjs";

const CONNECT_TIMEOUT = 5000;
const CLOSE_TIMEOUT = 3000;

function roomOf(payload) {
  if (typeof payload === "string") return payload;
  if (payload && typeof payload === "object" && typeof payload.room === "string") return payload.room;
  return undefined;
}

function refuse(error, message) {
  return { ok: false, error, message };
}

let peerSeq = 0;

export async function startNodePeer({ redisUrl, key = "socket.io", requestsTimeout = 5000, name, mode = "classic" } = {}) {
  const peerName = name ?? `node-peer-${process.pid}-${++peerSeq}`;
  const pub = createClient({ url: redisUrl, socket: { connectTimeout: CONNECT_TIMEOUT } });
  const sub = pub.duplicate();
  // node-redis emits "error" on every failed (re)connect; without a listener it would throw.
  pub.on("error", () => {});
  sub.on("error", () => {});
  await withTimeout(Promise.all([pub.connect(), sub.connect()]), CONNECT_TIMEOUT, `${peerName} to connect to Redis`);

  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    adapter:
      mode === "sharded"
        ? createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: "dynamic" })
        : createAdapter(pub, sub, { key, requestsTimeout }),
  });

  io.on("ping", (...args) => {
    const cb = args[args.length - 1];
    if (typeof cb === "function") cb({ node: peerName });
  });

  io.on("connection", (socket) => {
    const user = socket.handshake.auth?.name;
    socket.on("join", (payload, cb) => {
      const room = roomOf(payload);
      if (!room) return typeof cb === "function" && cb(refuse("bad_request", "room must be a string"));
      socket.join(room);
      if (typeof cb === "function") cb({ ok: true, room, history: [], members: [] });
    });
    socket.on("leave", (payload, cb) => {
      const room = roomOf(payload);
      if (!room) return typeof cb === "function" && cb(refuse("bad_request", "room must be a string"));
      if (!socket.rooms.has(room)) return typeof cb === "function" && cb(refuse("not_in_room", "not in that room"));
      socket.leave(room);
      if (typeof cb === "function") cb({ ok: true });
    });
    socket.on("message", (payload, cb) => {
      const room = payload?.room;
      const text = payload?.text;
      if (typeof room !== "string" || typeof text !== "string") {
        return typeof cb === "function" && cb(refuse("bad_request", "expected {room, text}"));
      }
      if (!socket.rooms.has(room)) {
        return typeof cb === "function" && cb(refuse("not_in_room", "join the room first"));
      }
      io.to(room).emit("message", { id: 0, room, user, text, ts: Date.now() });
      if (typeof cb === "function") cb({ ok: true });
    });
  });

  await withTimeout(
    new Promise((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(0, "127.0.0.1", resolve);
    }),
    CONNECT_TIMEOUT,
    `${peerName} to listen`,
  );
  const { port } = httpServer.address();
  const adapter = io.of("/").adapter;

  let closed = false;
  return {
    name: peerName,
    url: `http://127.0.0.1:${port}`,
    io,
    adapter,
    uid: adapter.uid,
    pub,
    sub,
    async close() {
      if (closed) return;
      closed = true;
      io.local.disconnectSockets(true); // local only: a plain disconnectSockets would reach the whole cluster
      // io.close() closes the adapters (unsubscribe) and the HTTP server; bounded, as a lost Redis
      // connection can leave the unsubscribe pending.
      await withTimeout(
        new Promise((resolve) => io.close(() => resolve())),
        CLOSE_TIMEOUT,
        `${peerName} to close`,
      ).catch(() => {});
      // quit() lets the adapter's pending UNSUBSCRIBEs finish (disconnect() would reject them,
      // unhandled); disconnect() only when Redis does not answer.
      for (const c of [sub, pub]) {
        try {
          await withTimeout(c.quit(), CLOSE_TIMEOUT, `${peerName} Redis client to quit`);
        } catch {
          await c.disconnect().catch(() => {});
        }
      }
    },
  };
}
