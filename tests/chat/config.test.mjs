// Configuration (docs/design.md#configuration): every flag is also a SWITCHBOARD_* variable and a key of a TOML
// config file; a flag wins over the environment, which wins over the file.
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { WAIT, ack, api, closeAllClients, freshDataDir, join, openUser, runToExit, send, startChat } from "./chat-harness.mjs";

describe("configuration sources", { timeout: 30000 }, () => {
  const dir = freshDataDir();
  const file = path.join(dir, "switchboard.toml");
  writeFileSync(
    file,
    [
      "# a config file as an operator writes it",
      'node-id = "from-file"',
      'api-key = "file-key"',
      'rate-limit = "5:10"',
      'cors-origin = ["https://a.example", "https://b.example"]',
      "",
    ].join("\n"),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  const nodeOf = async (server) => JSON.parse((await api(server, "/healthz")).text).node;

  test("keys of the config file apply", async () => {
    const server = await startChat(["--config", file]);
    try {
      assert.equal(await nodeOf(server), "from-file");
      const denied = await api(server, "/api/publish", { method: "POST", json: { event: "x" } });
      assert.equal(denied.status, 401, "api-key from the file protects publishing");
      const allowed = await api(server, "/api/publish", {
        method: "POST",
        json: { event: "x" },
        headers: { authorization: "Bearer file-key" },
      });
      assert.equal(allowed.status, 200, allowed.text);
      // a repeatable flag is a TOML list: both origins apply
      for (const origin of ["https://a.example", "https://b.example"]) {
        const preflight = await api(server, "/socket.io/?EIO=4&transport=polling", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "GET" },
        });
        assert.equal(preflight.headers.get("access-control-allow-origin"), origin);
      }
    } finally {
      await server.stop();
    }
  });

  test("the environment wins over the file, and a flag over both", async () => {
    let server = await startChat(["--config", file], { env: { SWITCHBOARD_NODE_ID: "from-env" } });
    try {
      assert.equal(await nodeOf(server), "from-env");
    } finally {
      await server.stop();
    }
    server = await startChat(["--config", file, "--node-id", "from-flag"], { env: { SWITCHBOARD_NODE_ID: "from-env" } });
    try {
      assert.equal(await nodeOf(server), "from-flag");
    } finally {
      await server.stop();
    }
  });

  test("bad values from any source exit 2 naming the flag", async () => {
    const badFile = path.join(dir, "bad.toml");
    writeFileSync(badFile, 'rate-limit = "fast"\n');
    const fromFile = await runToExit(["--config", badFile, "--port", "0", "--data-dir", dir], WAIT);
    assert.equal(fromFile.code, 2, fromFile.output);
    assert.match(fromFile.output, /rate-limit/);
    const missing = await runToExit(["--config", path.join(dir, "nope.toml")], WAIT);
    assert.equal(missing.code, 2, missing.output);
    assert.match(missing.output, /nope\.toml/);
    const unknown = await runToExit(["--no-such-flag"], WAIT);
    assert.equal(unknown.code, 2, unknown.output);
    assert.match(unknown.output, /no-such-flag/);
  });

  test("an unknown key in the file exits 2 naming the file, the line and the key", async () => {
    const unknownFile = path.join(dir, "unknown.toml");
    writeFileSync(unknownFile, ['node-id = "n"', "# a comment", "no-such-key = 5", ""].join("\n"));
    const res = await runToExit(["--config", unknownFile, "--port", "0", "--data-dir", dir], WAIT);
    assert.equal(res.code, 2, res.output);
    assert.match(res.output, /unknown\.toml:3\b/, `the file and line 3 are named: ${res.output}`);
    assert.match(res.output, /no-such-key/, res.output);
    // a table the server does not know is an unknown key too
    writeFileSync(unknownFile, ["[server]", "port = 0", ""].join("\n"));
    const table = await runToExit(["--config", unknownFile, "--port", "0", "--data-dir", dir], WAIT);
    assert.equal(table.code, 2, table.output);
    assert.match(table.output, /unknown\.toml:1\b/, table.output);
    assert.match(table.output, /server/, table.output);
  });

  test("the file is TOML: an unquoted string exits 2 naming the file and the line", async () => {
    const bare = path.join(dir, "bare.toml");
    writeFileSync(bare, ["# CLI11's format took bare words; TOML does not", "node-id = from-file", ""].join("\n"));
    const res = await runToExit(["--config", bare, "--port", "0", "--data-dir", dir], WAIT);
    assert.equal(res.code, 2, res.output);
    assert.match(res.output, /bare\.toml:2\b/, `the file and line 2 are named: ${res.output}`);
  });

  test("--storage memory keeps history without a database file", async () => {
    const dataDir = freshDataDir();
    const server = await startChat(["--storage", "memory"], { dataDir });
    try {
      const ada = await openUser(server, "ada");
      await join(ada, "mem");
      const id = await send(ada, "mem", "kept in memory");
      const h = await ack(ada, "history", { room: "mem" });
      assert.equal(h.ok, true);
      assert.deepEqual(h.messages.map((m) => [m.id, m.text]), [[id, "kept in memory"]]);
      assert.equal(existsSync(path.join(dataDir, "history.db")), false);
    } finally {
      closeAllClients();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
