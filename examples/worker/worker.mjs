#!/usr/bin/env node
// A Switchboard worker: takes the jobs a node relays (`--relay summarize=jobs` or
// `--relay summarize=stream:jobs`), summarises the room's recent history through the HTTP API and
// sends the result to the room through the HTTP API, so it reaches every member on every node.
//
//   node worker.mjs --redis redis://127.0.0.1:6379 --stream jobs [--group workers] [--name w1]
//   node worker.mjs --redis redis://127.0.0.1:6379 --channel jobs
//   environment: SWITCHBOARD_URL (default http://127.0.0.1:3000), SWITCHBOARD_API_KEY
//
// With --stream every worker of one consumer group gets each job once (XREADGROUP); a job is
// acknowledged (XACK) only after its result was published, so a worker that dies mid-job leaves
// it pending for the group (XPENDING / XAUTOCLAIM) instead of losing it. With --channel every
// subscribed worker gets every job.

import { parseArgs } from "node:util";
import os from "node:os";
import { createClient } from "redis";

const { values: opt } = parseArgs({
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    stream: { type: "string" },
    channel: { type: "string" },
    group: { type: "string", default: "workers" },
    name: { type: "string", default: `${os.hostname()}-${process.pid}` },
  },
});
if (!opt.stream === !opt.channel) {
  console.error("worker: give exactly one of --stream NAME or --channel NAME");
  process.exit(2);
}
const api = (process.env.SWITCHBOARD_URL || "http://127.0.0.1:3000").replace(/\/$/, "");
const apiKey = process.env.SWITCHBOARD_API_KEY || "";

const STOP_WORDS = new Set(["the", "and", "for", "that", "this", "with", "you", "are", "was", "have", "not", "but"]);

// The job: who spoke how much in the last 200 messages, and the most used words.
function summarize(messages) {
  const users = new Map();
  const words = new Map();
  for (const m of messages) {
    users.set(m.user, (users.get(m.user) || 0) + 1);
    for (const w of String(m.text).toLowerCase().match(/[\p{L}\p{N}']{3,}/gu) || []) {
      if (!STOP_WORDS.has(w)) words.set(w, (words.get(w) || 0) + 1);
    }
  }
  const top = (map, n) =>
    [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  return {
    messages: messages.length,
    users: top(users, 10).map(([user, count]) => ({ user, count })),
    top_words: top(words, 5).map(([word, count]) => ({ word, count })),
  };
}

async function call(method, path, body) {
  const res = await fetch(api + path, {
    method,
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.message || ""}`);
  return json;
}

async function run(job) {
  const room = encodeURIComponent(job.room);
  const { messages } = await call("GET", `/api/rooms/${room}/history?limit=200`);
  const data = { job: job.id, room: job.room, requested_by: job.user, worker: opt.name, ...summarize(messages) };
  await call("POST", "/api/publish", { room: job.room, event: "summary", data });
  console.log(`job ${job.id} room=${job.room} messages=${data.messages}`);
}

function parseJob(text) {
  try {
    const job = JSON.parse(text);
    if (typeof job.id === "string" && typeof job.room === "string") return job;
  } catch {}
  console.error(`worker: skipping a malformed job: ${String(text).slice(0, 200)}`);
  return null;
}

const redis = createClient({ url: opt.redis });
redis.on("error", (e) => console.error(`worker: redis: ${e.message}`));
await redis.connect();
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    stopping = true;
    redis.disconnect().finally(() => process.exit(0));
  });
}

if (opt.channel) {
  const sub = redis.duplicate();
  sub.on("error", (e) => console.error(`worker: redis: ${e.message}`));
  await sub.connect();
  await sub.subscribe(opt.channel, (text) => {
    const job = parseJob(text);
    if (job) run(job).catch((e) => console.error(`worker: job ${job.id}: ${e.message}`));
  });
  console.log(`worker ${opt.name} ready on channel ${opt.channel}`);
} else {
  try {
    await redis.xGroupCreate(opt.stream, opt.group, "$", { MKSTREAM: true });
  } catch (e) {
    if (!String(e.message).includes("BUSYGROUP")) throw e; // the group exists: join it
  }
  console.log(`worker ${opt.name} ready on stream ${opt.stream} group ${opt.group}`);
  while (!stopping) {
    const batches = await redis
      .xReadGroup(opt.group, opt.name, { key: opt.stream, id: ">" }, { COUNT: 10, BLOCK: 5000 })
      .catch((e) => (stopping ? null : Promise.reject(e)));
    for (const { messages } of batches || []) {
      for (const { id, message } of messages) {
        const job = parseJob(message.job);
        try {
          if (job) await run(job);
          await redis.xAck(opt.stream, opt.group, id);
        } catch (e) {
          console.error(`worker: job ${job ? job.id : id}: ${e.message}; left pending`);
        }
      }
    }
  }
}
