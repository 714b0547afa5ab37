// Secrets are never logged, even at --log-level debug: the API key, the JWT secret, the tokens
// clients present (valid or not), and the password in the --redis URL. The node runs with all of
// them while clients connect, an API caller succeeds and fails, and Redis is unreachable (so the
// link logs its failures); then its whole output is searched for each secret.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  api,
  closeAllClients,
  connectError,
  connectUser,
  jwt,
  openUser,
  startChat,
  withTimeout,
} from "./chat-harness.mjs";
import { freePort } from "../lib/server-process.mjs";

const API_KEY = "apikey-7c1f0e-not-for-logs";
const JWT_SECRET = "jwtsecret-51d2aa-not-for-logs";
const REDIS_PASSWORD = "redispass-9e03b7-not-for-logs";

test("the API key, the JWT secret, client tokens and the Redis password never reach the log", { timeout: 30000 }, async () => {
  const redisPort = await freePort(); // nothing listens there: the link keeps failing and says so
  const server = await startChat([
    "--log-level", "debug",
    "--api-key", API_KEY,
    "--jwt-secret", JWT_SECRET,
    "--redis", `redis://switchboard:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`,
    "--storage", "memory",
  ]);
  const goodToken = jwt({ sub: "grace" }, JWT_SECRET);
  const badToken = jwt({ sub: "mallory" }, "another-secret-entirely");
  try {
    await openUser(server, { token: goodToken }, {}, "good token");
    const refused = connectUser(server, { token: badToken }, {}, "bad token");
    await connectError(refused);
    const ok = await api(server, "/api/publish", {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      json: { event: "notice", data: "hello" },
    });
    assert.equal(ok.status, 200, ok.text);
    const wrong = await api(server, "/api/publish", {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}x` },
      json: { event: "notice", data: "hello" },
    });
    assert.equal(wrong.status, 401, wrong.text);
  } finally {
    closeAllClients();
    await withTimeout(server.stop(), 10000, "the server to stop");
  }
  const output = server.output();
  assert.match(output, /event=/, "the log is not empty: the test looks at real output");
  for (const [what, secret] of [
    ["API key", API_KEY],
    ["JWT secret", JWT_SECRET],
    ["Redis password", REDIS_PASSWORD],
    ["a valid client token", goodToken],
    ["a refused client token", badToken],
  ]) {
    assert.equal(output.includes(secret), false, `the ${what} appears in the log`);
  }
});
