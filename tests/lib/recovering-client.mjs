// Official socket.io-client sockets for the connection state recovery tests: each reconnects
// exactly `dropMs` after its transport drops (no jitter), so a test knows how long it is away,
// and queues every event it receives (socket.log). Shared by tests/integration and tests/cluster.

import { io } from "socket.io-client";
import { EventLog } from "./event-log.mjs";
import { withTimeout } from "./server-process.mjs";

const WAIT = 3000; // bound for one wait

export class RecoveringClients {
  constructor(dropMs) {
    this.dropMs = dropMs;
    this.sockets = new Set();
  }
  // A client of `server` over `transport`, connecting at once.
  open(server, name, transport = "websocket") {
    const s = io(server.url, {
      forceNew: true,
      transports: [transport],
      reconnectionDelay: this.dropMs,
      reconnectionDelayMax: this.dropMs,
      randomizationFactor: 0,
      timeout: WAIT,
    });
    s.log = new EventLog(name);
    s.onAny((event, ...args) => s.log.push(event, args));
    this.sockets.add(s);
    return s;
  }
  // Disconnects every client for good.
  closeAll() {
    for (const s of this.sockets) {
      s.io.reconnection(false);
      s.disconnect();
    }
    this.sockets.clear();
  }
}

// Resolves with `s` once it is connected (bounded).
export async function connected(s, ms = WAIT) {
  if (!s.connected) await withTimeout(new Promise((r) => s.once("connect", r)), ms, `${s.log.name} to connect`);
  return s;
}

// The acknowledgement of `event` (bounded).
export function ask(s, event, ...args) {
  return withTimeout(s.emitWithAck(event, ...args), WAIT, `the ack of "${event}"`);
}

// Drops `s`'s transport as a network failure would (no DISCONNECT packet) and resolves once the
// client noticed; `reconnected` then resolves when it is back (bounded by its delay + `ms`).
export async function dropTransport(s, ms = WAIT) {
  const dropped = withTimeout(new Promise((r) => s.once("disconnect", r)), ms, `${s.log.name} to drop`);
  s.io.engine.close();
  await dropped;
  const delay = s.io.reconnectionDelayMax();
  return { reconnected: withTimeout(new Promise((r) => s.once("connect", r)), delay + 2 * ms, `${s.log.name} to reconnect`) };
}
