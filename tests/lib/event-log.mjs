// The events a socket.io-client socket received, queued in order; tests take them with bounded
// waits. Shared by the integration, chat and cluster harnesses.

import { withTimeout } from "./server-process.mjs";

const WAIT = 3000; // default bound for one wait

// Queue of the events a client received, in order; take() waits (bounded) for one.
export class EventLog {
  constructor(name) {
    this.name = name;
    this.events = []; // { event, args }
    this.waiters = []; // { match, resolve }
  }
  push(event, args, offset) {
    const ev = offset === undefined ? { event, args } : { event, args, offset };
    const i = this.waiters.findIndex((w) => w.match(ev));
    if (i !== -1) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(ev);
      return;
    }
    this.events.push(ev);
  }
  // Removes and returns the first event matching; waits for it if needed.
  take(match, ms = WAIT, what = "an event") {
    const m = matcher(match);
    const i = this.events.findIndex(m);
    if (i !== -1) return Promise.resolve(this.events.splice(i, 1)[0]);
    let waiter;
    const p = new Promise((resolve) => {
      waiter = { match: m, resolve };
      this.waiters.push(waiter);
    });
    return withTimeout(p, ms, `${what} on client ${this.name}`).catch((err) => {
      const j = this.waiters.indexOf(waiter);
      if (j !== -1) this.waiters.splice(j, 1);
      err.message += `\n  (queued events: ${JSON.stringify(this.events)})`;
      throw err;
    });
  }
  // Waits for the first event matching and returns every event received before it (all removed
  // from the queue) followed by the matching one.
  async until(match, ms = WAIT, what = "an event") {
    const m = matcher(match);
    const i = this.events.findIndex(m);
    if (i !== -1) return this.events.splice(0, i + 1);
    const marker = await this.take(m, ms, what);
    const before = this.events.splice(0, this.events.length);
    return [...before, marker];
  }
  clear() {
    this.events.length = 0;
  }
}

function matcher(match) {
  return typeof match === "string" ? (ev) => ev.event === match : match;
}
