// The example backend (examples/backend) beside Switchboard, end to end: a person logs in on the
// backend's page in Chromium and chats on Switchboard's page as the user the connect hook names
// from the session cookie; the join hook keeps a team room to its team; the message hook refuses
// a word; the official client, with the cookie of another login, calls the RPC events and is
// disconnected on logout; the webhook log shows what happened.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { freePort, startServerProcess, withTimeout } from "../lib/server-process.mjs";
import { WAIT, joinRoom, launchChromium, logIn, messageText, send } from "./browser-harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const TEST_TIMEOUT = 60000;

let backend;
let backendPort;
let server;
let browser;
let dataDir;
const clients = [];

// Starts examples/backend/server.mjs on a free port; resolves once it listens.
async function startBackend(switchboardUrl) {
  backendPort = await freePort();
  const child = spawn(process.execPath, [path.join(repo, "examples/backend/server.mjs")], {
    env: { ...process.env, PORT: String(backendPort), SWITCHBOARD_URL: switchboardUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await withTimeout(
    new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the example backend exited (${code})`)));
      child.stdout.on("data", (d) => {
        if (String(d).includes("example backend on")) resolve();
      });
    }),
    WAIT,
    "the example backend to listen",
  );
  return child;
}

const backendUrl = (p) => `http://localhost:${backendPort}${p}`;

// Logs `user` in on the backend as a browser would; returns the session cookie.
async function loginCookie(user) {
  const res = await fetch(backendUrl("/login"), {
    method: "POST",
    body: new URLSearchParams({ user }),
    redirect: "manual",
  });
  assert.equal(res.status, 303);
  return res.headers.get("set-cookie").split(";")[0];
}

function connectWithCookie(cookie) {
  const s = io(server.url.replace("127.0.0.1", "localhost"), {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    extraHeaders: cookie ? { cookie } : {},
  });
  clients.push(s);
  return s;
}

const connected = (s) =>
  withTimeout(
    new Promise((resolve, reject) => {
      s.once("connect", resolve);
      s.once("connect_error", (err) => reject(new Error(`${err.message} ${JSON.stringify(err.data)}`)));
    }),
    WAIT,
    "the client to connect",
  );

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "switchboard-example-"));
  const port = await freePort();
  backend = await startBackend(`http://localhost:${port}`);
  const hook = (p) => `http://127.0.0.1:${backendPort}${p}`;
  const binary = process.env.SWITCHBOARD_BINARY
    ? path.resolve(process.env.SWITCHBOARD_BINARY)
    : path.join(repo, "build/release/src/server/switchboard");
  // The example's own config file, its URLs pointed at this test's ports.
  // prettier-ignore
  server = await startServerProcess({
    binary,
    args: ["--config", path.join(repo, "examples/backend/switchboard.toml"), "--port", String(port),
           "--data-dir", dataDir, "--log-level", "warn", "--drain-time", "0",
           "--auth-hook", hook("/hooks/connect"), "--join-hook", hook("/hooks/join"),
           "--message-hook", hook("/hooks/message"), "--webhook", hook("/hooks/webhook"),
           "--rpc", `roll=${hook("/hooks/rpc/roll")}`, "--rpc", `whoami=${hook("/hooks/rpc/whoami")}`],
    envName: "SWITCHBOARD_BINARY",
  });
  browser = await launchChromium();
});

after(async () => {
  for (const s of clients) s.close();
  await browser?.close();
  await server?.stop();
  backend?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("log in on the backend's page, chat as that user; team rooms, the word list", { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(backendUrl("/"));
  await page.selectOption("#user", "ada");
  await page.click("#login");
  await page.waitForSelector("text=Hello, Ada Lovelace");
  await page.click("#chat");
  await logIn(page, "ada");
  await joinRoom(page, "team-red");
  await send(page, "hello team");
  // Another person's view: bob with the official client, in the lobby.
  const bob = connectWithCookie(await loginCookie("bob"));
  await connected(bob);
  const refused = await bob.emitWithAck("join", "team-red");
  assert.equal(refused.error, "forbidden", JSON.stringify(refused));
  assert.match(refused.message, /team/);
  // The word list: refused, shown in plain words, not stored.
  await page.fill("#message-input", "darn it");
  await page.press("#message-input", "Enter");
  await page.waitForSelector('[data-testid="error"]:has-text("please do not say")');
  assert.equal(await messageText(page, "darn it").count(), 0);
  // The message on Ada's page came from the user the cookie names, with the backend's name.
  const history = await (
    await fetch(`${server.url}/api/rooms/team-red/history`, {
      headers: { authorization: "Bearer change-me-example-api-key" },
    })
  ).json();
  assert.deepEqual(
    history.messages.map((m) => [m.user, m.name, m.text]),
    [["ada", "Ada Lovelace", "hello team"]],
  );
  await context.close();
});

test("the official client: RPCs, refused without a session, disconnected on logout; the webhook log", { timeout: TEST_TIMEOUT }, async () => {
  const stranger = connectWithCookie(null);
  const err = await withTimeout(new Promise((resolve) => stranger.once("connect_error", resolve)), WAIT, "refusal");
  assert.equal(err.data?.error, "unauthorized");
  assert.match(err.data.message, /log in/);

  const cookie = await loginCookie("cy");
  const cy = connectWithCookie(cookie);
  await connected(cy);
  assert.deepEqual(await cy.emitWithAck("whoami"), { user: "cy", name: "Cy Twombly", team: "red" });
  assert.equal((await cy.emitWithAck("join", "lobby")).ok, true);
  const rolled = new Promise((resolve) => cy.once("rolled", resolve));
  const roll = await cy.emitWithAck("roll", { room: "lobby" });
  assert.ok(roll.value >= 1 && roll.value <= 6, JSON.stringify(roll));
  assert.deepEqual(await withTimeout(rolled, WAIT, "the roll told to the room"), { user: "cy", name: "Cy Twombly", value: roll.value });

  const gone = new Promise((resolve) => cy.once("disconnect", resolve));
  const out = await fetch(backendUrl("/logout"), { method: "POST", headers: { cookie }, redirect: "manual" });
  assert.equal(out.status, 303);
  assert.equal(await withTimeout(gone, WAIT, "the logout's disconnect"), "io server disconnect");

  // The webhook log has the team room's life so far (batched within a second).
  const deadline = Date.now() + WAIT;
  let log = [];
  while (Date.now() < deadline) {
    log = await (await fetch(backendUrl("/webhooks"))).json();
    if (log.some((e) => e.type === "message" && e.room === "team-red")) break;
    await new Promise((resolve) => setTimeout(resolve, 200)); // polls the log, bounded by the deadline
  }
  const team = log.filter((e) => e.room === "team-red").map((e) => [e.type, e.user ?? null]);
  assert.deepEqual(team.slice(0, 3), [["room_occupied", null], ["member_added", "ada"], ["message", "ada"]]);
});
