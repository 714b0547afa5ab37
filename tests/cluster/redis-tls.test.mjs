// TLS to Redis (rediss://): nodes check Redis' certificate against --redis-ca and talk through it;
// a node that cannot verify the certificate stays disconnected and says why.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  LINK_WAIT,
  Resources,
  TEST_TIMEOUT,
  WAIT,
  closeAllClients,
  eventually,
  healthz,
  join,
  messageStartingWith,
  openUser,
  send,
  startRedis,
  waitRedisState,
} from "./cluster-harness.mjs";

const res = new Resources();
let dir;
let redis;
let A;
let B;

// A throw-away authority and a certificate for 127.0.0.1 signed by it.
function makeCertificates() {
  dir = mkdtempSync(path.join(os.tmpdir(), "switchboard-tls-"));
  const f = (name) => path.join(dir, name);
  const ssl = (...args) => execFileSync("openssl", args, { stdio: "pipe", timeout: 20000 });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=switchboard test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("redis.key"), "-out", f("redis.csr"), "-subj", "/CN=localhost");
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", f("redis.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("redis.pem"), "-days", "2", "-extfile", f("ext.cnf"));
  return { cert: f("redis.pem"), key: f("redis.key"), ca: f("ca.pem") };
}

before(async () => {
  const tls = makeCertificates();
  res.add(() => rmSync(dir, { recursive: true, force: true }));
  redis = await startRedis({ tls });
  res.add(() => redis.stop());
  assert.match(redis.url, /^rediss:\/\//);
  const args = ["--redis-ca", tls.ca];
  A = await res.node({ redisUrl: redis.url, nodeId: "nA", args });
  B = await res.node({ redisUrl: redis.url, nodeId: "nB", args });
  for (const n of [A, B]) await waitRedisState(n, "connected", LINK_WAIT);
});

after(async () => {
  closeAllClients();
  await res.close();
});

test("nodes linked through rediss:// deliver to each other and store history", { timeout: TEST_TIMEOUT }, async () => {
  const ada = await openUser(A, "ada");
  const bob = await openUser(B, "bob");
  await join(ada, "secure");
  await join(bob, "secure");
  await eventually(
    (i) => send(ada, "secure", `over tls ${i}`),
    (ms) => bob.log.take(messageStartingWith("over tls"), ms, "a message over TLS"),
    { what: "delivery from A to B through rediss://" },
  );
  const joined = await join(bob, "secure");
  assert.ok(joined.history.some((m) => m.text.startsWith("over tls")), JSON.stringify(joined.history));
});

test("a node that cannot verify Redis' certificate stays disconnected and logs why", { timeout: TEST_TIMEOUT }, async () => {
  // No --redis-ca: the system's authorities do not know the test CA.
  const C = await res.node({ redisUrl: redis.url, nodeId: "nC" }); // --log-level warn: failures are logged
  await eventually(
    () => {},
    async () => assert.match(C.output(), /TLS handshake failed/),
    { what: "the TLS failure in the log", ms: WAIT },
  );
  const h = await healthz(C);
  assert.equal(h.status, 200);
  assert.equal(h.json.redis, "disconnected");
});
