// Idle connections cost little: 10,000 Socket.IO clients (the native load generator, bench/loadgen,
// a real Engine.IO v4 + Socket.IO v5 client over WebSocket) connect to one node and stay idle; the
// node's resident memory per connection stays under the performance target, 2 KiB per idle client
// (docs/BENCHMARKS.md has the figure measured with the bench settings, side by side with Node's). A
// memory bound, not a timing: it runs on the unsanitized build only (a sanitizer adds its own
// shadow memory), where the machine grants the descriptors (both ends raise their soft limit).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { metric, runLoadgen, serverBinary, startChat } from "./chat-harness.mjs";

const CLIENTS = 10000;
const BOUND_KIB = 2; // per idle connection (measured 1.82 with the chat server's defaults, its user room included; the goal is 1)
const SANITIZED = serverBinary().includes("/asan/") || serverBinary().includes("/tsan/");
const HARD_FILE_LIMIT = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1]);
const SKIP = SANITIZED
  ? "a sanitizer's shadow memory would be measured"
  : HARD_FILE_LIMIT < CLIENTS + 1000
    ? `the hard limit of open files (${HARD_FILE_LIMIT}) is below what each end needs`
    : false;

let server;
before(async () => {
  if (!SKIP) server = await startChat(["--storage", "memory", "--threads", "1"]);
});
after(() => server?.stop());

test(`${CLIENTS} idle connections cost less than ${BOUND_KIB} KiB each`, { skip: SKIP, timeout: 120000 }, async () => {
  const r = await runLoadgen(
    ["idle", "--url", server.url, "--server-pid", String(server.pid), "--clients", String(CLIENTS), "--no-join",
     "--hold", "1", "--source-addresses", "4", "--timeout", "90"],
    110000,
  );
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.connected, CLIENTS, JSON.stringify(r));
  assert.ok(Number.isFinite(r.rss_per_client_kib), `no RSS figure: ${JSON.stringify(r)}`);
  console.log(`${CLIENTS} idle clients: ${r.rss_per_client_kib.toFixed(2)} KiB of server RSS each`);
  assert.ok(r.rss_per_client_kib < BOUND_KIB, `${r.rss_per_client_kib.toFixed(2)} KiB per idle connection`);
  // They all left again: the node holds no session.
  const deadline = Date.now() + 10000;
  while ((await metric(server, "switchboard_sockets")) !== 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll period, bounded by the deadline
  }
  assert.equal(await metric(server, "switchboard_sockets"), 0, "sockets left after the clients closed");
});
