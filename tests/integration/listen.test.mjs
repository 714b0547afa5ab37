// The listening contract of docs/design.md#configuration: a port already in use makes a second server exit 1 with
// a message naming the port, and leaves the first one serving.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { serverBinary, sessionCount, startServer, withTimeout } from "./harness.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test("a second server on the same port exits 1 and says the port is in use", { timeout: 15000 }, async () => {
  const child = spawn(serverBinary(), ["--port", String(server.port)], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (c) => (stderr += c));
  child.stdout.on("data", (c) => (stdout += c));
  const code = await withTimeout(new Promise((r) => child.on("exit", r)), 5000, "the second server to exit").catch((e) => {
    child.kill("SIGKILL");
    throw e;
  });
  assert.equal(code, 1, `exit code; stdout: ${stdout} stderr: ${stderr}`);
  assert.match(stderr, new RegExp(`port ${server.port} is already in use`));
  assert.doesNotMatch(stdout, /listening on/);
  assert.equal(typeof (await sessionCount(server)), "number"); // the first one still answers
});
