// The chat page against a server that wants signed tokens (--jwt-secret) in a real browser: a
// token from `?token=` signs in and leaves the address bar; a person who types a name is asked
// for a token instead; an expired token asks to sign in again; a room its rules keep the user out
// of, or a full one, is explained in plain words.
//
// Every wait is bounded (WAIT) and waits for something visible on the page, never for time.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { signJwt } from "../lib/jwt.mjs";
import { startServerProcess } from "../lib/server-process.mjs";
import { WAIT, artifacts, joinRoom, launchChromium, send, shot } from "./browser-harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");
const TEST_TIMEOUT = 60000;
const SECRET = "page-secret";

const jwt = (claims) => signJwt(claims, "HS256", SECRET);
const now = () => Math.floor(Date.now() / 1000);

let server;
let browser;
let dataDir;
const pages = [];

async function openPage(urlPath) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  pages.push(page);
  await page.goto(server.url + urlPath);
  return page;
}

async function inLobby(page) {
  await page.waitForSelector('#room-list [data-testid="room"][data-room="lobby"]:not(.pending)');
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), "switchboard-token-page-"));
  const rules = path.join(dataDir, "rooms.toml");
  writeFileSync(rules, '[[rooms]]\nmatch = "vault"\njoin = "nobody"\n[[rooms]]\nmatch = "booth"\nmax-members = 1\n');
  const binary = process.env.SWITCHBOARD_BINARY
    ? path.resolve(process.env.SWITCHBOARD_BINARY)
    : path.resolve(testsDir, "../build/release/src/server/switchboard");
  // prettier-ignore
  server = await startServerProcess({
    binary,
    args: ["--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, "--log-level", "warn", "--drain-time", "0",
           "--jwt-secret", SECRET, "--config", rules],
    envName: "SWITCHBOARD_BINARY",
  });
  browser = await launchChromium();
});

after(async () => {
  for (const [i, page] of pages.entries()) await shot(page, `token-login-${i}`).catch(() => {});
  await browser?.close().catch(() => {});
  try {
    await server?.stop();
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("chat page with signed tokens", { timeout: TEST_TIMEOUT }, () => {
  test("?token= signs in as the token's user and is taken out of the address bar", async () => {
    const page = await openPage(`/?token=${jwt({ sub: "ada", exp: now() + 3600 })}`);
    await inLobby(page);
    assert.equal(new URL(page.url()).searchParams.get("token"), null, `address bar: ${page.url()}`);
    assert.match((await page.textContent("#me")).trim(), /ada$/);
    await send(page, "signed hello");
    const mine = page.locator('#messages [data-testid="message"].mine').filter({ hasText: "signed hello" });
    await mine.waitFor();
    assert.equal(await page.isHidden("#change-name"), true, "a token's user cannot be renamed");
    // A reload keeps the sign-in for this tab.
    await page.reload();
    await inLobby(page);
    assert.match((await page.textContent("#me")).trim(), /ada$/);
  });

  test("a person who types a name is asked for a token, and signs in with one", async () => {
    const page = await openPage("/");
    await page.fill("#name-input", "grace");
    await page.click("#name-submit");
    await page.waitForSelector("#token-form:not([hidden])");
    assert.match(await page.textContent("#token-why"), /checks who you are/);
    await page.fill("#token-input", jwt({ sub: "grace" }));
    await page.click("#token-submit");
    await inLobby(page);
    assert.match((await page.textContent("#me")).trim(), /grace$/);
  });

  test("an expired token asks to sign in again", async () => {
    const page = await openPage(`/?token=${jwt({ sub: "old", exp: now() - 3600 })}`);
    await page.waitForSelector("#token-form:not([hidden])");
    assert.match(await page.textContent("#token-why"), /expired/);
  });

  test("forbidden and room_full read as a person would say them", async () => {
    const page = await openPage(`/?token=${jwt({ sub: "lin" })}`);
    await inLobby(page);
    await page.fill("#join-input", "vault");
    await page.press("#join-input", "Enter");
    const denied = page.locator('#notices [data-testid="error"]').filter({ hasText: "Could not join #vault" });
    await denied.waitFor();
    assert.match(await denied.textContent(), /you don't have access to it\./);
    assert.doesNotMatch(await denied.textContent(), /forbidden/);

    const other = await openPage(`/?token=${jwt({ sub: "kim" })}`);
    await inLobby(other);
    await joinRoom(other, "booth");
    await page.fill("#join-input", "booth");
    await page.press("#join-input", "Enter");
    const full = page.locator('#notices [data-testid="error"]').filter({ hasText: "Could not join #booth" });
    await full.waitFor();
    assert.match(await full.textContent(), /it is full\./);
  });
});
