// The chat page and the dashboard in a real browser (Debian's chromium driven by playwright-core)
// against the built `switchboard` binary: two people chat, see each other and each other's typing;
// markup in a message stays text; the dashboard counts the messages.
//
// Every wait is bounded (WAIT) and waits for something visible on the page, never for time.
// Screenshots land in tests/browser/artifacts/ (ignored by git).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startServerProcess } from "../lib/server-process.mjs";
import {
  WAIT,
  artifacts,
  blockWebSocket,
  joinRoom,
  launchChromium,
  logIn,
  messageText,
  selectRoom,
  send,
  shot,
} from "./browser-harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");
const TEST_TIMEOUT = 60000;
const API_KEY = "k";
const ROOM = "tea-room";
const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=1">`;

function serverBinary() {
  const fromEnv = process.env.SWITCHBOARD_BINARY;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(testsDir, "../build/release/src/server/switchboard");
}

function serverArgs(port = 0) {
  // prettier-ignore
  return [
    "--host", "127.0.0.1", "--port", String(port),
    "--data-dir", dataDir, "--api-key", API_KEY, "--log-level", "warn", "--drain-time", "0",
  ];
}

let server;
let browser;
let dataDir;
const pages = new Map(); // label -> page, for the screenshots taken when everything is done
const pageErrors = []; // uncaught exceptions in any page: the pages must have none

async function openPage(label, urlPath) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.setDefaultNavigationTimeout(WAIT);
  page.on("pageerror", (err) => pageErrors.push(`${label}: ${err.message}`));
  pages.set(label, page);
  await page.goto(server.url + urlPath);
  return page;
}

// Opens the chat as `name`; resolves once the default room "lobby" is joined.
async function openChat(name) {
  const page = await openPage(name, "/");
  await logIn(page, name);
  return page;
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), "switchboard-browser-"));
  server = await startServerProcess({
    binary: serverBinary(),
    args: serverArgs(),
    envName: "SWITCHBOARD_BINARY",
  });
  browser = await launchChromium();
});

after(async () => {
  // each step on its own, so one failure does not leave the browser or the server running
  for (const [label, page] of pages) await shot(page, `final-${label}`).catch(() => {});
  await browser?.close().catch(() => {});
  try {
    await server?.stop();
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("chat page", { timeout: TEST_TIMEOUT }, () => {
  let ada;
  let grace;

  before(async () => {
    ada = await openChat("ada");
    grace = await openChat("grace");
    await joinRoom(ada, ROOM);
    await joinRoom(grace, ROOM);
  });

  test("both see each other in the members list, and ada sees grace's presence", async () => {
    await ada.waitForSelector('#member-list [data-testid="member"][data-user="grace"]');
    await grace.waitForSelector('#member-list [data-testid="member"][data-user="ada"]');
    await ada.locator('#messages [data-testid="system"]').filter({ hasText: "grace joined" }).waitFor();
    assert.equal(await ada.locator('#member-list [data-testid="member"]').count(), 2);
  });

  test("typing shows on the other side, then messages go both ways", async () => {
    await ada.fill("#message-input", "hello from a");
    await grace.locator("#typing").filter({ hasText: "ada is typing" }).waitFor();
    await send(ada, "hello from ada");
    await messageText(grace, "hello from ada").waitFor();
    // a message from the typist ends their indicator
    await grace.waitForFunction(() => document.getElementById("typing").textContent === "", null, { timeout: WAIT });

    await send(grace, "hi ada, grace here");
    const line = ada
      .locator('#messages [data-testid="message"][data-user="grace"]')
      .filter({ hasText: "hi ada, grace here" });
    await line.waitFor();
    assert.equal(await line.locator(".author").textContent(), "grace");
    await shot(ada, "chat-ada");
    await shot(grace, "chat-grace");
  });

  test("markup in a message is shown as literal text and never runs", async () => {
    await send(ada, XSS);
    const seen = messageText(grace, "window.__xss=1").last();
    await seen.waitFor();
    assert.equal(await seen.textContent(), XSS);
    for (const page of [ada, grace]) {
      assert.equal(await page.locator("#messages img, #messages script").count(), 0);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
    }
    await shot(grace, "chat-xss");
  });

  test("a late joiner gets the history oldest first", async () => {
    const lin = await openChat("lin");
    await joinRoom(lin, ROOM);
    await messageText(lin, "hi ada, grace here").waitFor();
    const texts = await lin.locator('#messages [data-testid="message-text"]').allTextContents();
    assert.ok(texts.indexOf("hello from ada") < texts.indexOf("hi ada, grace here"), texts.join(" | "));
    await lin.waitForSelector('#member-list [data-testid="member"][data-user="ada"]');
    await lin.context().close();
    pages.delete("lin");
    // lin's only socket is gone: the others see the leave
    await ada.waitForSelector('#member-list [data-testid="member"][data-user="lin"]', { state: "detached" });
  });

  test("a message in another room counts as unread until that room is opened", async () => {
    await selectRoom(grace, "lobby");
    await send(grace, "anyone in the lobby?");
    const badge = ada.locator('#room-list [data-room="lobby"] [data-testid="unread"]');
    await badge.filter({ hasText: "1" }).waitFor();
    await selectRoom(ada, "lobby");
    await badge.waitFor({ state: "detached" });
    await messageText(ada, "anyone in the lobby?").waitFor();
  });

  test("without WebSocket the page says so and still chats over long-polling", async () => {
    const context = await browser.newContext();
    await blockWebSocket(context); // the client stays on its first transport, polling
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (err) => pageErrors.push(`poller: ${err.message}`));
    pages.set("poller", page);
    await page.goto(server.url + "/");
    await page.fill("#name-input", "poller");
    await page.click("#name-submit");
    await page.locator('#conn-state[data-state="polling"]').filter({ hasText: "polling fallback" }).waitFor();
    await joinRoom(page, ROOM);
    await selectRoom(grace, ROOM);
    await send(page, "sent over polling");
    await messageText(grace, "sent over polling").waitFor();
    await send(grace, "received over polling");
    await messageText(page, "received over polling").waitFor();
    await shot(page, "chat-polling");
    await context.close();
    pages.delete("poller");
  });

  test("a refusal from the server is shown to the user", async () => {
    await ada.fill("#message-input", "x".repeat(4001)); // over the default --max-text
    await ada.press("#message-input", "Enter");
    await ada.locator('#notices [data-testid="error"]').filter({ hasText: "too_long" }).waitFor();
    assert.equal(await ada.inputValue("#message-input"), "x".repeat(4001), "the refused text is given back");
  });
});

describe("dashboard", { timeout: TEST_TIMEOUT }, () => {
  test("with ?key= it shows live totals that grow when a message is sent", async () => {
    const dash = await openPage("dashboard", `/dashboard?key=${API_KEY}`);
    await dash.waitForSelector('#dash-state[data-state="connected"]');
    await dash.waitForFunction(() => /^\d+$/.test(document.getElementById("total-messages").textContent), null, {
      timeout: WAIT,
    });
    assert.ok(!dash.url().includes("key="), "the key is taken out of the address bar");
    const before = Number(await dash.textContent("#total-messages"));

    const sender = await openChat("dash-sender");
    await send(sender, "counted by the dashboard");
    await dash.waitForFunction((n) => Number(document.getElementById("total-messages").textContent) > n, before, {
      timeout: WAIT,
    });
    const lobby = dash.locator('#rooms-table [data-testid="room-row"][data-room="lobby"]');
    await lobby.locator("button").click(); // names come from GET /api/rooms/lobby/members
    await lobby.locator(".names").filter({ hasText: "dash-sender" }).waitFor();
    assert.match(await dash.textContent("#node-id"), /\S/);
    await shot(dash, "dashboard");
  });

  test("a wrong key is refused visibly", async () => {
    const dash = await openPage("dashboard-wrong-key", "/dashboard?key=wrong");
    await dash.waitForSelector('#dash-state[data-state="refused"]');
    await dash.locator("#auth-error").filter({ hasText: "unauthorized" }).waitFor();
    await dash.waitForSelector("#key-form:not([hidden])");
    await shot(dash, "dashboard-wrong-key");
  });
});

describe("after a server restart", { timeout: TEST_TIMEOUT }, () => {
  test("the page reconnects, re-joins its rooms and shows no message twice", async () => {
    const ada = pages.get("ada");
    await selectRoom(ada, ROOM);
    const port = server.port;
    await server.stop();
    await ada.waitForSelector('#conn-state[data-state="reconnecting"]');
    // same port and data folder: the same server as far as the page and the history go
    server = await startServerProcess({
      binary: serverBinary(),
      args: serverArgs(port),
      envName: "SWITCHBOARD_BINARY",
    });
    await ada.waitForSelector('#conn-state:is([data-state="connected"], [data-state="polling"])');
    await ada.waitForSelector(`#room-list [data-room="${ROOM}"]:not(.pending)`);
    await ada.waitForSelector(`#room-list [data-room="lobby"]:not(.pending)`);
    await ada.waitForSelector('#member-list [data-testid="member"][data-user="ada"]');
    assert.equal(await messageText(ada, "hello from ada").count(), 1);
    await send(ada, "back after the restart");
    await shot(ada, "chat-after-restart");
  });
});

describe("pages", () => {
  test("threw no uncaught exception", () => {
    assert.deepEqual(pageErrors, []);
  });
});
