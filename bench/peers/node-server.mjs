// The Node.js Socket.IO 4 peer of the benchmark: the chat contract of docs/design.md#chat-events as
// docs/user-guide.md states it, written the way a Node developer would, so that the same load
// generator drives it and Switchboard and both do the same work per message:
//
// - auth {name}: trimmed, 1 to 32 characters, else connect_error "unauthorized"
// - `join` "room" | {room}: joins; `presence` {room, user, action:"join"} to the room when the user
//   was not in it yet; ack {ok:true, room, history (last ≤ 50, oldest first), members (sorted,
//   each name once)}
// - `leave`, `typing`, `history` as the guide says
// - `message` {room, text}: validated like the guide (shapes, room 1–64 bytes, sender in the room,
//   text 1–max code points); id increasing per room, ts in ms, the last 1,000 kept in memory per
//   room (as Switchboard's `--storage memory`); `message` {id, room, user, text, ts} to the room,
//   sender included; ack {ok:true, id}
// - `POST /api/publish` {room?, event, data?} emits to the room or to everyone; 200 {ok:true}
// - disconnect: presence `leave` for every room the user is no longer in
//
// Usage: node node-server.mjs [--host 127.0.0.1] [--port 0] [--redis redis://HOST:PORT]
//                             [--max-text 4000]
// With --redis, rooms span every node through @socket.io/redis-adapter; history and presence stay
// per node (the benchmark's figures do not depend on them). Prints `listening on http://HOST:PORT`
// when ready, as Switchboard does.

import http from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "3000" },
    redis: { type: "string" },
    "max-text": { type: "string", default: "4000" },
  },
});
const MAX_TEXT = Number(args["max-text"]);
const JOIN_HISTORY = 50;
const MAX_HISTORY = 200;
const KEEP = 1000; // messages kept per room, as Switchboard's memory storage

const refusal = (error, message) => ({ ok: false, error, message });

function roomOf(payload) {
  if (typeof payload === "string") return payload;
  if (payload && typeof payload === "object" && typeof payload.room === "string") return payload.room;
  return undefined;
}

const validRoom = (room) => typeof room === "string" && room.length > 0 && Buffer.byteLength(room) <= 64;

function codePoints(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    n++;
  }
  return n;
}

// Per room: messages (ids 1, 2, … in order), and user → number of that user's sockets in the room.
const rooms = new Map();
function roomState(room) {
  let r = rooms.get(room);
  if (!r) rooms.set(room, (r = { messages: [], nextId: 1, users: new Map() }));
  return r;
}

async function makeAdapter() {
  if (!args.redis) return undefined;
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: args.redis });
  const sub = pub.duplicate();
  pub.on("error", () => {});
  sub.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  return createAdapter(pub, sub);
}

const httpServer = http.createServer((req, res) => {
  const reply = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.url !== "/api/publish") return reply(404, { error: "not_found", message: "no such path" });
  if (req.method !== "POST") return reply(405, { error: "method_not_allowed", message: "POST only" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(400, { error: "bad_request", message: "body is not JSON" });
    }
    if (!body || typeof body.event !== "string" || body.event === "") {
      return reply(400, { error: "bad_request", message: "event must be a non-empty string" });
    }
    const target = typeof body.room === "string" ? io.to(body.room) : io;
    if ("data" in body) target.emit(body.event, body.data);
    else target.emit(body.event);
    reply(200, { ok: true });
  });
});

const io = new Server(httpServer, { adapter: await makeAdapter() });

io.use((socket, next) => {
  const name = socket.handshake.auth?.name;
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (trimmed.length < 1 || trimmed.length > 32) {
    const err = new Error("unauthorized");
    err.data = { error: "unauthorized", message: "auth.name must be 1 to 32 characters" };
    return next(err);
  }
  socket.data.user = trimmed;
  next();
});

io.on("connection", (socket) => {
  const user = socket.data.user;
  const answer = (cb, value) => (typeof cb === "function" ? cb(value) : socket.emit("error", value));

  socket.on("join", (payload, cb) => {
    const room = roomOf(payload);
    if (!validRoom(room) || room === socket.id) {
      return answer(cb, refusal("bad_request", 'join needs a room name of 1 to 64 bytes: "room" or {room}'));
    }
    const r = roomState(room);
    if (!socket.rooms.has(room)) {
      socket.join(room);
      const sockets = r.users.get(user) ?? 0;
      r.users.set(user, sockets + 1);
      if (sockets === 0) io.to(room).emit("presence", { room, user, action: "join" });
    }
    if (typeof cb !== "function") return;
    cb({
      ok: true,
      room,
      history: r.messages.slice(-JOIN_HISTORY),
      members: [...r.users.keys()].sort(),
    });
  });

  const leaveRoom = (room) => {
    const r = roomState(room);
    const sockets = (r.users.get(user) ?? 1) - 1;
    if (sockets > 0) return r.users.set(user, sockets);
    r.users.delete(user);
    io.to(room).emit("presence", { room, user, action: "leave" });
  };

  socket.on("leave", (payload, cb) => {
    const room = roomOf(payload);
    if (!validRoom(room)) return answer(cb, refusal("bad_request", 'leave needs a room name: "room" or {room}'));
    if (room === socket.id || !socket.rooms.has(room)) {
      return answer(cb, refusal("not_in_room", "you are not in that room"));
    }
    socket.leave(room);
    leaveRoom(room);
    if (typeof cb === "function") cb({ ok: true });
  });

  socket.on("message", (payload, cb) => {
    if (!payload || typeof payload !== "object") return answer(cb, refusal("bad_request", "message needs {room, text}"));
    const { room, text } = payload;
    if (typeof room !== "string" || typeof text !== "string") {
      return answer(cb, refusal("bad_request", "message needs {room, text} as strings"));
    }
    if (!validRoom(room)) return answer(cb, refusal("bad_request", "room must be 1 to 64 bytes"));
    if (room === socket.id || !socket.rooms.has(room)) {
      return answer(cb, refusal("not_in_room", "join the room before sending to it"));
    }
    if (text.length === 0) return answer(cb, refusal("bad_request", "text is empty"));
    if (codePoints(text) > MAX_TEXT) return answer(cb, refusal("too_long", `text is over ${MAX_TEXT} characters`));
    const r = roomState(room);
    const message = { id: r.nextId++, room, user, text, ts: Date.now() };
    r.messages.push(message);
    // Trimmed in batches so that a message costs O(1) amortised.
    if (r.messages.length >= 2 * KEEP) r.messages.splice(0, r.messages.length - KEEP);
    io.to(room).emit("message", message);
    if (typeof cb === "function") cb({ ok: true, id: message.id });
  });

  socket.on("typing", (payload) => {
    const room = roomOf(payload);
    if (validRoom(room) && socket.rooms.has(room)) socket.to(room).volatile.emit("typing", { room, user });
  });

  socket.on("history", (payload, cb) => {
    const room = roomOf(payload);
    const before = payload?.before;
    const limit = payload?.limit ?? 50;
    const positive = (v) => Number.isInteger(v) && v > 0;
    if (!validRoom(room) || (before !== undefined && !positive(before)) || !positive(limit)) {
      return answer(cb, refusal("bad_request", "history needs {room, before?, limit?}"));
    }
    const all = rooms.get(room)?.messages ?? [];
    const older = before === undefined ? all : all.filter((m) => m.id < before);
    if (typeof cb === "function") cb({ ok: true, messages: older.slice(-Math.min(limit, MAX_HISTORY)).reverse() });
  });

  socket.on("disconnecting", () => {
    for (const room of socket.rooms) if (room !== socket.id) leaveRoom(room);
  });
});

httpServer.listen(Number(args.port), args.host, () => {
  const { address, port } = httpServer.address();
  process.stdout.write(`listening on http://${address}:${port}\n`);
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
