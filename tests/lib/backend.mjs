// A real HTTP backend on loopback for the hook tests: it records every request (path, headers,
// raw body, parsed JSON) and answers each path as the test says, including the ways a backend
// fails (a status, garbage, no answer at all). Shared by the chat and cluster suites.

import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { withTimeout } from "./server-process.mjs";

const WAIT = 3000;

// A backend's check of a request from Switchboard: X-Switchboard-Signature is sha256= and the
// hex HMAC-SHA256 of "<X-Switchboard-Timestamp>.<body>" keyed with the hook secret.
export function signatureValid(request, secret) {
  const ts = request.headers["x-switchboard-timestamp"];
  const got = request.headers["x-switchboard-signature"] ?? "";
  const want = `sha256=${createHmac("sha256", secret).update(`${ts}.${request.raw}`).digest("hex")}`;
  return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

// answer(path, handler): handler(request) returns {status?, json?, body?, hang?} (json: an object
// to send; body: raw text; hang: never answer). Unset paths answer 404.
export async function startBackend() {
  const requests = [];
  const waiters = [];
  const handlers = new Map();
  const hung = new Set();
  const seen = new Map(); // path → requests received, taken or not
  const collectors = new Map(); // path → collector: every request there goes to it, not to take()
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const request = { path: req.url, method: req.method, headers: req.headers, raw, body };
      seen.set(req.url, (seen.get(req.url) ?? 0) + 1);
      const collector = collectors.get(req.url.split("?")[0]);
      const w = waiters.findIndex((x) => x.match(request));
      if (collector) collector.add(request);
      else if (w !== -1) waiters.splice(w, 1)[0].resolve(request);
      else requests.push(request);
      const handler = handlers.get(req.url.split("?")[0]);
      const reply = handler ? await handler(request) : { status: 404, json: { error: "no such hook" } };
      if (reply.hang) {
        hung.add(res);
        return;
      }
      const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? "");
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    answer(path, handler) {
      handlers.set(path, handler);
    },
    // Removes and returns the first request matching (a path, or a predicate); waits if needed.
    take(match, ms = WAIT, what = "a hook request") {
      const m = typeof match === "string" ? (r) => r.path === match : match;
      const i = requests.findIndex(m);
      if (i !== -1) return Promise.resolve(requests.splice(i, 1)[0]);
      let waiter;
      const p = new Promise((resolve) => {
        waiter = { match: m, resolve };
        waiters.push(waiter);
      });
      return withTimeout(p, ms, what).finally(() => {
        const j = waiters.indexOf(waiter);
        if (j !== -1) waiters.splice(j, 1);
      });
    },
    // Webhook batches {time_ms, events} POSTed to `path`, gathered as they come: `batches`,
    // `events` (in arrival order) and until(pred), a bounded wait for pred(events) to hold.
    collect(path) {
      const c = {
        batches: [],
        events: [],
        waiters: [],
        add(request) {
          c.batches.push(request);
          c.events.push(...(request.body?.events ?? []));
          for (const w of [...c.waiters]) w();
        },
        until(pred, ms = WAIT, what = "webhook events") {
          if (pred(c.events)) return Promise.resolve();
          let w;
          return withTimeout(
            new Promise((resolve) => {
              w = () => {
                if (pred(c.events)) resolve();
              };
              c.waiters.push(w);
            }),
            ms,
            `${what}; got ${JSON.stringify(c.events.map((e) => [e.type, e.room, e.user, e.node]))}`,
          ).finally(() => c.waiters.splice(c.waiters.indexOf(w), 1));
        },
      };
      collectors.set(path, c);
      return c;
    },
    // Requests received on `path` so far, taken or not.
    count(path) {
      return seen.get(path) ?? 0;
    },
    clear() {
      requests.length = 0;
      seen.clear();
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
