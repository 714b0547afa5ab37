// An application's backend for Switchboard, in plain Node.js (no dependencies): it logs people in
// with a cookie session on its own page, and Switchboard asks it, through signed hook requests,
// who a client is (the cookie), who may join a team room, whether a message may be stored (a
// word list), and what the `roll` and `whoami` events answer; its webhook log shows what happened
// in the rooms. Logging out disconnects the user's sockets on every node (the server API).
//
//   node examples/backend/server.mjs          # http://localhost:4000
//
// Settings (environment): PORT (4000), HOOK_SECRET (the switchboard.toml one),
// SWITCHBOARD_URL (http://localhost:3000), SWITCHBOARD_API_KEY (the switchboard.toml one).

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";

const PORT = Number(process.env.PORT ?? 4000);
const HOST = process.env.HOST ?? "127.0.0.1";
const SECRET = process.env.HOOK_SECRET ?? "change-me-example-hook-secret";
const SWITCHBOARD = process.env.SWITCHBOARD_URL ?? "http://localhost:3000";
const API_KEY = process.env.SWITCHBOARD_API_KEY ?? "change-me-example-api-key";
const MAX_AGE_SECONDS = 300; // a signed request older than this is refused (replay)

// The people of this demo and their teams: a team room `team-<team>` lets in its members only.
const PEOPLE = {
  ada: { name: "Ada Lovelace", team: "red" },
  bob: { name: "Bob Kahn", team: "blue" },
  cy: { name: "Cy Twombly", team: "red" },
};
const BANNED_WORDS = ["darn", "heck"];

const sessions = new Map(); // session id → user
const webhookLog = []; // the last 200 webhook events
const seenEvents = new Set(); // webhook event ids already taken (delivery is at least once)

function cookies(header = "") {
  const out = {};
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

// A hook request is Switchboard's when its signature verifies and it is recent.
function signedBySwitchboard(req, raw) {
  const ts = req.headers["x-switchboard-timestamp"] ?? "";
  const got = req.headers["x-switchboard-signature"] ?? "";
  const want = `sha256=${createHmac("sha256", SECRET).update(`${ts}.${raw}`).digest("hex")}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= MAX_AGE_SECONDS;
  return fresh && got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

// The hooks: each gets the request's JSON and answers [status, JSON].
const hooks = {
  "/hooks/connect": ({ headers }) => {
    const user = sessions.get(cookies(headers.cookie).session);
    if (!user) return [401, { message: `log in at http://localhost:${PORT} first` }];
    const p = PEOPLE[user];
    return [200, { user, name: p.name, data: { team: p.team } }];
  },
  "/hooks/join": ({ user, room }) => {
    const allow = room === `team-${PEOPLE[user]?.team}`;
    return [200, allow ? { allow } : { allow, message: `${room} is for its team's members only` }];
  },
  "/hooks/message": ({ text }) => {
    const word = BANNED_WORDS.find((w) => text.toLowerCase().includes(w));
    if (word) return [200, { allow: false, error: "bad_word", message: `please do not say "${word}" here` }];
    return [200, { allow: true }];
  },
  "/hooks/rpc/roll": ({ user, name, args }) => {
    const room = typeof args[0]?.room === "string" ? args[0].room : null;
    const value = 1 + Math.floor(Math.random() * 6);
    const actions = room ? [{ emit: { to: { room }, event: "rolled", data: { user, name, value } } }] : [];
    return [200, { reply: { value }, actions }];
  },
  "/hooks/rpc/whoami": ({ user, name, data }) => [200, { reply: { user, name, team: data?.team ?? null } }],
  "/hooks/webhook": ({ events }) => {
    for (const e of events) {
      if (seenEvents.has(e.id)) continue; // a batch sent again
      seenEvents.add(e.id);
      webhookLog.push(e);
      console.log(`webhook ${e.type} room=${e.room}${e.user ? ` user=${e.user}` : ""}`);
    }
    webhookLog.splice(0, Math.max(0, webhookLog.length - 200));
    return [204, null];
  },
};

function page(body) {
  return `<!doctype html><meta charset="utf-8"><title>Example backend</title>
<style>body{font:16px system-ui;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit}</style>${body}`;
}

function loginPage(user) {
  if (user) {
    return page(`<h1>Hello, ${PEOPLE[user].name}</h1>
<p>You are on team ${PEOPLE[user].team}. <a id="chat" href="${SWITCHBOARD}/">Open the chat</a> and join
<code>team-${PEOPLE[user].team}</code>, <code>announcements</code> or any other room.</p>
<form method="post" action="/logout"><button id="logout">Log out</button></form>`);
  }
  const options = Object.keys(PEOPLE)
    .map((u) => `<option value="${u}">${PEOPLE[u].name} (team ${PEOPLE[u].team})</option>`)
    .join("");
  return page(`<h1>Log in</h1><form method="post" action="/login">
<select name="user" id="user">${options}</select> <button id="login">Log in</button></form>`);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

async function logOut(user) {
  // The user's sockets, on every node, are disconnected: a logout is a logout everywhere.
  await fetch(`${SWITCHBOARD}/api/disconnect`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ user }),
  }).catch((err) => console.error(`could not disconnect ${user}: ${err.message}`));
}

const server = http.createServer(async (req, res) => {
  const raw = await readBody(req);
  const path = req.url.split("?")[0];
  const session = cookies(req.headers.cookie).session;
  const user = sessions.get(session);
  if (req.method === "POST" && hooks[path]) {
    if (!signedBySwitchboard(req, raw)) {
      res.writeHead(401, { "content-type": "application/json" });
      return res.end(JSON.stringify({ message: "not signed by Switchboard" }));
    }
    const [status, body] = hooks[path](JSON.parse(raw));
    res.writeHead(status, { "content-type": "application/json" });
    return res.end(body === null ? "" : JSON.stringify(body));
  }
  if (req.method === "POST" && path === "/login") {
    const chosen = new URLSearchParams(raw).get("user");
    if (!PEOPLE[chosen]) {
      res.writeHead(400, { "content-type": "text/html" });
      return res.end(page("<p>No such person.</p>"));
    }
    const id = randomBytes(24).toString("base64url");
    sessions.set(id, chosen);
    // The cookie goes to every port of this host, Switchboard's included (cookies are per host).
    res.writeHead(303, { location: "/", "set-cookie": `session=${id}; HttpOnly; SameSite=Lax; Path=/` });
    return res.end();
  }
  if (req.method === "POST" && path === "/logout") {
    sessions.delete(session);
    if (user) await logOut(user);
    res.writeHead(303, { location: "/", "set-cookie": "session=; Max-Age=0; Path=/" });
    return res.end();
  }
  if (req.method === "GET" && path === "/webhooks") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(webhookLog));
  }
  if (req.method === "GET" && path === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    return res.end(loginPage(user));
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found\n");
});

server.listen(PORT, HOST, () => {
  console.log(`example backend on http://localhost:${server.address().port}`);
});
