// The end of bench/soak.sh: from the samples and the generators' reports, the start and end
// figures of each process, the flatness verdict, summary.json, one JSON line and the plot.
//
// Usage: node soak_summary.mjs RESULTS_DIR DURATION_S OUT.png META_JSON
//
// Flatness is judged after a warm-up: the first fifth of the run is left out (connections being
// set up, the history and recovery buffers filling to their bounds), then the mean of the second
// fifth is compared with the mean of the last fifth. Growth between them is given in % and
// extrapolated to an hour (the two windows' centres are 0.6 × DURATION apart); a least-squares
// slope over everything after the warm-up is given too. A Switchboard node is flat when its RSS
// grew by less than 5 %, its descriptors by at most 10 or 5 % (the churn keeps some in flight),
// and the bytes queued on its sockets (kernel Send-Q) by less than twice, or stayed under 64 KiB;
// and once every client has left (after.csv) it holds at most 2 descriptors more than at the start.
// Redis is reported, not judged: its history is trimmed per room only at 10,000 messages.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [dir, durationArg, outPng, metaArg] = process.argv.slice(2);
const duration = Number(durationArg);
const meta = JSON.parse(metaArg ?? "{}");

function readCsv(file) {
  if (!existsSync(file)) return [];
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = header.split(",");
  return lines.map((l) => {
    const f = l.split(",");
    const r = {};
    cols.forEach((c, i) => { r[c] = c === "process" ? f[i] : f[i] === "" || f[i] === undefined ? null : Number(f[i]); });
    if (r.ws_connections !== null) r.connections = r.ws_connections + r.polling_connections;
    return r;
  });
}
const rows = readCsv(join(dir, "samples.csv"));
const after = readCsv(join(dir, "after.csv")); // one row per process once every client has left
const processes = [...new Set(rows.map((r) => r.process))];

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x, d = 1) => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const warm = 0.2 * duration;
const inWindow = (r, a, b) => r.time_s >= a * duration && r.time_s < b * duration + (b === 1 ? 1 : 0);

function slopePerHour(points) {
  if (points.length < 3) return null;
  const mx = mean(points.map((p) => p[0])), my = mean(points.map((p) => p[1]));
  let num = 0, den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return den > 0 ? (num / den) * 3600 : null;
}

// Start, end, the two windows, growth and slope of one column of one process.
function trend(rs, col, p) {
  const v = rs.filter((r) => r[col] !== null && r[col] !== undefined);
  if (v.length === 0) return null;
  const left = after.find((r) => r.process === p)?.[col];
  const second = mean(v.filter((r) => inWindow(r, 0.2, 0.4)).map((r) => r[col]));
  const last = mean(v.filter((r) => inWindow(r, 0.8, 1)).map((r) => r[col]));
  const afterWarm = v.filter((r) => r.time_s >= warm);
  const growth = second !== null && last !== null ? last - second : null;
  return {
    at_0: v[0][col],
    after_warmup: afterWarm.length ? afterWarm[0][col] : null,
    end: v[v.length - 1][col],
    after_clients_left: left ?? null,
    min: Math.min(...afterWarm.map((r) => r[col])),
    max: Math.max(...v.map((r) => r[col])),
    second_fifth_mean: round(second),
    last_fifth_mean: round(last),
    growth: round(growth),
    growth_pct: second ? round((100 * growth) / second, 2) : null,
    per_hour: growth !== null ? round((growth / (0.6 * duration)) * 3600) : null,
    per_hour_pct: second ? round(((100 * growth) / second / (0.6 * duration)) * 3600, 2) : null,
    slope_per_hour: round(slopePerHour(afterWarm.map((r) => [r.time_s, r[col]]))),
  };
}

const report = {};
for (const p of processes) {
  const rs = rows.filter((r) => r.process === p);
  const last = rs[rs.length - 1];
  const first = rs[0];
  const t = {
    samples: rs.length,
    rss_kib: trend(rs, "rss_kib", p),
    fds: trend(rs, "fds", p),
    threads: trend(rs, "threads", p),
    send_q_bytes: trend(rs, "send_q_bytes", p),
    recv_q_bytes: trend(rs, "recv_q_bytes", p),
  };
  if (p === "redis") {
    t.used_memory_kib = trend(rs, "redis_used_memory_kib", p);
    t.output_buffers_bytes = trend(rs, "redis_output_buffers_bytes", p);
  } else {
    t.connections = trend(rs, "connections", p);
    t.polling_connections = trend(rs, "polling_connections", p);
    t.sockets = trend(rs, "sockets", p);
    t.loop_lag_ms = { max: Math.max(...rs.map((r) => r.loop_lag_ms ?? 0)) };
    t.totals = Object.fromEntries(
      ["packets_out_total", "chat_messages_total", "api_requests_total", "slow_consumer_disconnects_total",
        "dropped_packets_total", "rate_limited_total"].map((c) => [c.replace(/_total$/, ""), (last[c] ?? 0) - (first[c] ?? 0)]));
    const rss = t.rss_kib, fds = t.fds, q = t.send_q_bytes;
    t.flat = {
      rss: rss.growth_pct !== null && rss.growth_pct < 5,
      fds: fds.growth !== null && (fds.growth <= 10 || fds.growth_pct < 5),
      send_queue: q.last_fifth_mean !== null && (q.last_fifth_mean < 65536 || q.last_fifth_mean < 2 * q.second_fifth_mean),
      // Every descriptor of a client given back: at most 2 more than before any client came.
      fds_released: fds.after_clients_left !== null && fds.after_clients_left <= fds.at_0 + 2,
    };
  }
  report[p] = t;
}

// The generators' own reports.
const jsonLines = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
const fanout = jsonLines("fanout.jsonl");
const connect = jsonLines("connect.jsonl");
const idle = jsonLines("idle.json")[0] ?? null;
const churn = jsonLines("traffic.json")[0] ?? null;
const sum = (xs, k) => xs.reduce((a, x) => a + (x[k] ?? 0), 0);
const traffic = {
  fanout: {
    rounds: fanout.length, rounds_ok: fanout.filter((r) => r.ok).length, sent: sum(fanout, "sent"),
    received: sum(fanout, "received"), lost: sum(fanout, "lost"), duplicated: sum(fanout, "duplicated"),
    out_of_order: sum(fanout, "out_of_order"), ack_errors: sum(fanout, "ack_errors"),
    p99_ms_max: fanout.length ? Math.max(...fanout.map((r) => r.latency_ms?.p99 ?? 0)) : null,
    errors: [...new Set(fanout.filter((r) => r.error).map((r) => r.error))],
  },
  connect: {
    bursts: connect.length, handshakes: sum(connect, "handshakes"), failures: sum(connect, "failures"),
    errors: [...new Set(connect.filter((r) => r.first_error).map((r) => r.first_error))],
  },
  idle: idle && { clients: idle.clients, connected: idle.connected, disconnects: idle.disconnects, ok: idle.ok, error: idle.error },
  churn,
};
traffic.ok = traffic.fanout.rounds > 0 && traffic.fanout.rounds_ok === traffic.fanout.rounds &&
  traffic.connect.bursts > 0 && traffic.connect.failures === 0 && idle?.ok === true && churn?.ok === true;

const nodes = processes.filter((p) => p !== "redis");
const flat = nodes.every((p) => Object.values(report[p].flat).every(Boolean));
const summary = { ok: flat && traffic.ok, verdict: flat ? "flat" : "growing", traffic_ok: traffic.ok, meta, processes: report, traffic };
writeFileSync(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");

// For the reader: a table, then the one line.
const fmt = (x) => (x === null || x === undefined ? "–" : typeof x === "number" ? x.toLocaleString("en-US", { maximumFractionDigits: 2 }) : String(x));
const line = (cells) => console.log("   " + cells.map((c, i) => (i === 0 ? String(c).padEnd(26) : String(c).padStart(14))).join(""));
console.log(`== after a warm-up of ${warm} s: second fifth against last fifth`);
line(["", "at 0 s", "after warm-up", "end", "2nd fifth", "last fifth", "growth %", "per hour %", "clients gone"]);
for (const p of processes) {
  for (const [k, label] of [["rss_kib", "RSS KiB"], ["fds", "fds"], ["threads", "threads"], ["connections", "connections"],
    ["send_q_bytes", "send-Q bytes"], ["used_memory_kib", "used_memory KiB"]]) {
    const t = report[p][k];
    if (!t) continue;
    line([`${p} ${label}`, fmt(t.at_0), fmt(t.after_warmup), fmt(t.end), fmt(t.second_fifth_mean), fmt(t.last_fifth_mean), fmt(t.growth_pct), fmt(t.per_hour_pct), fmt(t.after_clients_left)]);
  }
}
const f = traffic.fanout;
console.log(`   fanout: ${f.rounds_ok}/${f.rounds} rounds ok, ${fmt(f.received)} deliveries, lost ${f.lost}, duplicated ${f.duplicated}, out of order ${f.out_of_order}, p99 ≤ ${fmt(f.p99_ms_max)} ms`);
console.log(`   connect: ${fmt(traffic.connect.handshakes)} handshakes in ${traffic.connect.bursts} bursts, ${traffic.connect.failures} failures`);
console.log(`   idle: ${JSON.stringify(traffic.idle)}`);
console.log(`   churn and API: ${JSON.stringify(churn)}`);
console.log(`   verdict: ${summary.verdict}${traffic.ok ? "" : " (traffic reported failures: see summary.json)"}`);
// The plot: RSS (with Redis's), descriptors and connections against time, one line per process; dashed lines
// mark the end of the warm-up and the two windows compared.
const tmp = mkdtempSync(join(tmpdir(), "soak-plot-"));
try {
  const series = [];
  for (const p of processes) {
    const file = join(tmp, `${p}.dat`);
    writeFileSync(file, rows.filter((r) => r.process === p)
      .map((r) => [r.time_s, r.rss_kib / 1024, r.fds, p === "redis" ? NaN : r.ws_connections + r.polling_connections].join(" ")).join("\n") + "\n");
    series.push({ p, file });
  }
  const marks = [0.2, 0.4, 0.8].map((x) => `set arrow from ${x * duration}, graph 0 to ${x * duration}, graph 1 nohead dt 2 lc rgb "#999999"`).join("\n");
  const plot = (col, only) => series.filter((s) => !only || s.p !== "redis")
    .map((s) => `"${s.file}" using 1:${col} with lines lw 2 title "${s.p}"`).join(", ");
  const title = `Switchboard soak, ${duration} s${meta.date ? `, ${meta.date.slice(0, 10)}` : ""}`;
  writeFileSync(join(tmp, "plot.gp"), `
set terminal pngcairo size 900,900 font "sans,10"
set output "${outPng}"
set multiplot layout 3,1 title "${title}"
set grid
set key bottom right
set xrange [0:${duration}]
${marks}
set ylabel "RSS (MiB)"
set yrange [0:*]
plot ${plot(2)}
set ylabel "open file descriptors"
plot ${plot(3, true)}
set ylabel "connections (WebSocket + polling)"
set xlabel "seconds"
plot ${plot(4, true)}
unset multiplot
`);
  execFileSync("gnuplot", [join(tmp, "plot.gp")], { stdio: "inherit" });
  console.log(`plot: ${outPng}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const brief = (t) => t && { at_0: t.at_0, end: t.end, growth_pct: t.growth_pct, per_hour_pct: t.per_hour_pct,
  after_clients_left: t.after_clients_left };
console.log(JSON.stringify({
  ok: summary.ok, verdict: summary.verdict, traffic_ok: traffic.ok, duration_s: duration,
  nodes: Object.fromEntries(processes.map((p) => [p, { rss_kib: brief(report[p].rss_kib), fds: brief(report[p].fds),
    connections_end: report[p].connections?.end, send_q_bytes_max: report[p].send_q_bytes?.max, flat: report[p].flat }])),
  fanout_deliveries: f.received, lost: f.lost, handshakes: traffic.connect.handshakes,
  churn_cycles: churn?.cycles_total, api_publishes: churn?.api?.sent,
}));
process.exit(summary.ok ? 0 : 1);
