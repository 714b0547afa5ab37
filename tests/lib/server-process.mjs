// What every black-box test suite needs to drive a built server: start the binary, wait (bounded)
// for its `listening on http(s)://HOST:PORT` line, stop it; bounded waits; bounded HTTP requests.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";

const STARTUP_TIMEOUT = 10000;
const STOP_TIMEOUT = 5000;

// Rejects with a descriptive error if `promise` does not settle within `ms`.
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A TCP port free on 127.0.0.1 right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// fetch() with a bounded timeout; reads the whole body as text. Returns { status, headers, text }.
export async function http(url, { method = "GET", body, headers, timeout, signal } = {}) {
  const signals = [AbortSignal.timeout(timeout)];
  if (signal) signals.push(signal);
  const res = await fetch(url, { method, body, headers, signal: AbortSignal.any(signals) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

// Spawns `binary args` (with `env` added to the environment), waits for the listening line and returns
// { url, wsUrl, host, port, args, output(), alive(), signal(name), stop() }. `envName` names the variable that
// overrides the binary, for the error message when it is missing.
export async function startServerProcess({ binary, args, envName, env }) {
  if (!existsSync(binary)) {
    throw new Error(`server binary not found: ${binary} (build it, or set ${envName})`);
  }
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let output = ""; // stdout + stderr, for diagnostics
  let exited = null; // { code, signal } once the process is gone
  let stopping = false;
  const keep = (chunk) => {
    output += chunk;
    if (output.length > 65536) output = output.slice(-65536); // keep the tail only
  };
  const exitPromise = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const ready = new Promise((resolve, reject) => {
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      keep(chunk);
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf("\n")) !== -1) {
        const line = pending.slice(0, nl).replace(/\r$/, "");
        pending = pending.slice(nl + 1);
        const m = /listening on (https?):\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/.exec(line);
        if (m) resolve({ scheme: m[1], host: m[2], port: Number(m[3]) });
      }
    });
    child.stderr.on("data", keep);
    child.on("error", (err) => reject(new Error(`failed to spawn ${binary}: ${err.message}`)));
    exitPromise.then(({ code, signal }) =>
      reject(new Error(`server exited before listening (code=${code}, signal=${signal})`)),
    );
  });

  let addr;
  try {
    addr = await withTimeout(ready, STARTUP_TIMEOUT, "the `listening on` line");
  } catch (err) {
    if (!exited) {
      child.kill("SIGKILL");
      await withTimeout(exitPromise, STOP_TIMEOUT, "server exit").catch(() => {});
    }
    err.message += `\n--- server output ---\n${output}`;
    throw err;
  }
  let host = addr.host;
  if (host === "0.0.0.0" || host === "*") host = "127.0.0.1";
  if (host === "[::]") host = "[::1]";
  const url = `${addr.scheme}://${host}:${addr.port}`;
  return {
    url,
    wsUrl: url.replace(/^http/, "ws"),
    host,
    port: addr.port,
    pid: child.pid,
    args,
    output: () => output,
    alive: () => exited === null,
    // Sends a signal without waiting (stop() still waits for the exit afterwards).
    signal: (name) => child.kill(name),
    // SIGTERM, bounded wait, then SIGKILL. Throws if the server had died by itself.
    async stop() {
      if (stopping) return exited;
      stopping = true;
      const diedEarly = exited;
      if (!exited) {
        child.kill("SIGTERM");
        try {
          await withTimeout(exitPromise, STOP_TIMEOUT, "server exit after SIGTERM");
        } catch {
          child.kill("SIGKILL");
          await withTimeout(exitPromise, STOP_TIMEOUT, "server exit after SIGKILL");
        }
      }
      if (diedEarly) {
        throw new Error(
          `server exited during the tests (code=${diedEarly.code}, signal=${diedEarly.signal})\n` +
            `--- server output ---\n${output}`,
        );
      }
      return exited;
    },
  };
}
