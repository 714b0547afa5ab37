// Shared helpers for the browser tests: Debian's chromium driven by playwright-core, and the chat
// page's controls (web/index.html, web/chat.js) as a user works them.
//
// Every wait is bounded (pages get WAIT as their default timeout) and waits for something visible
// on the page, never for time.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, "artifacts"); // screenshots (ignored by git)
export const WAIT = 10000; // bound of every single browser wait

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox"],
    headless: true,
    timeout: WAIT,
  });
}

// Every WebSocket of the context is refused, so Socket.IO stays on its first transport, polling.
export function blockWebSocket(context) {
  return context.routeWebSocket(/.*/, (ws) => ws.close({ code: 1011, reason: "blocked by the test" }));
}

// On the chat page just loaded: enters `name`; resolves once the default room "lobby" is joined.
export async function logIn(page, name) {
  await page.fill("#name-input", name);
  await page.click("#name-submit");
  await page.waitForSelector('#room-list [data-testid="room"][data-room="lobby"]:not(.pending)');
  await page.waitForSelector('#conn-state:is([data-state="connected"], [data-state="polling"])');
}

export async function joinRoom(page, room) {
  await page.fill("#join-input", room);
  await page.press("#join-input", "Enter");
  await page.waitForSelector(`#room-list [data-testid="room"][data-room="${room}"].active:not(.pending)`);
}

export async function selectRoom(page, room) {
  await page.click(`#room-list [data-room="${room}"] .room-name`);
  await page.waitForSelector(`#room-list [data-room="${room}"].active`);
}

export function messageText(page, text) {
  return page.locator('#messages [data-testid="message"] [data-testid="message-text"]').filter({ hasText: text });
}

// Sends `text` with the Enter key and waits until the server has echoed it back to the sender.
export async function send(page, text) {
  await page.fill("#message-input", text);
  await page.press("#message-input", "Enter");
  await messageText(page, text).last().waitFor();
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
