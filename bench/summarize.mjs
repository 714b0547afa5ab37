// Turns bench/run.sh's raw results (one JSON line per measurement) into the medians, the table
// with the ratios against issue 5's targets, docs/benchmarks.json and the PNG plot (gnuplot).
// Rows marked `floor` also show the kernel floor (server "floor", bench/floor/floor.cpp: one write
// per socket per message, no protocol) measured with the same figure, where the run has it.
//
// Usage: node summarize.mjs RESULTS.jsonl META.json OUT.json OUT.png

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [resultsPath, metaPath, outJson, outPng] = process.argv.slice(2);
const runs = readFileSync(resultsPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const meta = JSON.parse(readFileSync(metaPath, "utf8"));
const s = meta.settings;

const median = (xs) => {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const of = (server, caseName) => runs.filter((r) => r.server === server && r.case === caseName);
const okRuns = (server, caseName) => of(server, caseName).filter((r) => r.result.ok);
const medianOf = (server, caseName, get) =>
  median(okRuns(server, caseName).map((r) => get(r.result)).filter((x) => typeof x === "number"));

// kind: "ratio_min" (Node/Switchboard at least value), "ratio_max" (at most value), "sb_max"
// (Switchboard's own figure at most value), "all_ok" (every run complete, exactly once, in order).
const definitions = [
  { metric: "CPU-seconds per million deliveries, full speed", case: "fanout", better: "lower",
    get: (r) => r.server_cpu_s_per_million, target: { kind: "ratio_min", value: 4, text: "Node/SB ≥ 4" } },
  { metric: `CPU-seconds per million deliveries, ${s.rate} msg/s`, case: "rate", better: "lower", floor: true,
    get: (r) => r.server_cpu_s_per_million, target: { kind: "ratio_min", value: 4, text: "Node/SB ≥ 4" } },
  { metric: "deliveries per second, full speed", case: "fanout", better: "higher",
    get: (r) => r.deliveries_per_s, target: { kind: "ratio_max", value: 1 / 3, text: "Node/SB ≤ 1/3" } },
  { metric: "latency p50 at full speed (ms)", case: "fanout", better: "lower", get: (r) => r.latency_ms?.p50 },
  { metric: "latency p99 at full speed (ms)", case: "fanout", better: "lower", get: (r) => r.latency_ms?.p99 },
  { metric: `latency p99 at ${s.rate} msg/s (ms)`, case: "rate", better: "lower", get: (r) => r.latency_ms?.p99 },
  { metric: `RSS per idle client, ${s.clients} in one room (KiB)`, case: "idle", better: "lower",
    get: (r) => r.rss_per_client_kib, target: { kind: "sb_max", value: 2, text: "SB ≤ 2 KiB" } },
  { metric: `RSS per connected client, ${s.broadcast_clients} clients (KiB)`, case: "broadcast", better: "lower",
    get: (r) => r.rss_per_client_kib, target: { kind: "sb_max", value: 2, text: "SB ≤ 2 KiB" } },
  { metric: "handshakes per second", case: "connect", better: "higher", get: (r) => r.handshakes_per_s,
    target: { kind: "ratio_max", value: 1 / 5, text: "Node/SB ≤ 1/5" } },
  { metric: "server CPU per handshake (ms)", case: "connect", better: "lower",
    get: (r) => r.server_cpu_ms_per_handshake },
  { metric: `one broadcast to ${s.broadcast_clients} clients: last one has it (ms)`, case: "broadcast",
    better: "lower", floor: true, get: (r) => r.last_ms_median, target: { kind: "sb_max", value: 100, text: "SB ≤ 100 ms" } },
  { metric: `2 nodes + Redis, ${s.rate} msg/s: latency p99 (ms)`, case: "cluster", better: "lower",
    get: (r) => r.latency_ms?.p99, target: { kind: "ratio_min", value: 3, text: "Node/SB ≥ 3" } },
  { metric: "2 nodes + Redis: CPU-seconds per million deliveries (both nodes)", case: "cluster", better: "lower",
    get: (r) => r.server_cpu_s_per_million },
  { metric: "user-space instructions per delivery (callgrind)", case: "instructions", better: "lower",
    get: (r) => r.instructions_per_delivery },
  { metric: "Switchboard --threads 2, full speed: deliveries per second", case: "threads2", better: "higher",
    get: (r) => r.deliveries_per_s, target: { kind: "all_ok", text: "exactly once, in order" } },
];

function verdict(target, sb, ratio, caseName) {
  if (!target) return { met: null, text: "" };
  if (target.kind === "all_ok") {
    const all = of("switchboard", caseName);
    if (all.length === 0) return { met: null, text: "not run" };
    const met = all.length > 0 && all.every((r) => r.result.ok);
    return { met, text: met ? `met (${all.length}/${all.length} runs)` : "MISSED (a run lost, duplicated or reordered)" };
  }
  if (target.kind === "sb_max") {
    if (sb === null) return { met: null, text: of("switchboard", caseName).length ? "no data" : "not run" };
    const met = sb <= target.value;
    return { met, text: met ? "met" : `missed by ×${(sb / target.value).toFixed(2)}` };
  }
  if (ratio === null) return { met: null, text: of("switchboard", caseName).length ? "no data" : "not run" };
  if (target.kind === "ratio_min") {
    const met = ratio >= target.value;
    return { met, text: met ? "met" : `missed: ${ratio.toFixed(2)} of ${target.value}` };
  }
  const met = ratio <= target.value;
  return { met, text: met ? "met" : `missed: ${ratio.toFixed(2)}, need ≤ ${target.value.toFixed(2)}` };
}

const rows = definitions.map((d) => {
  const sb = medianOf("switchboard", d.case, d.get);
  const node = medianOf("node", d.case, d.get);
  const ratio = sb !== null && node !== null && sb !== 0 ? node / sb : null;
  // The floor is no server: it stays out of the ratio and the verdict.
  const floor = d.floor ? medianOf("floor", d.case, d.get) : null;
  const failed = { switchboard: of("switchboard", d.case).length - okRuns("switchboard", d.case).length,
                   node: of("node", d.case).length - okRuns("node", d.case).length,
                   floor: d.floor ? of("floor", d.case).length - okRuns("floor", d.case).length : 0 };
  return { metric: d.metric, case: d.case, better: d.better, switchboard: sb, node, floor, node_over_switchboard: ratio,
           target: d.target?.text ?? null, ...verdict(d.target, sb, ratio, d.case), failed_runs: failed };
});

const loadgenMax = {};
for (const server of ["switchboard", "node"]) {
  const pcts = runs.filter((r) => r.server === server).map((r) => r.result.loadgen_cpu_pct).filter((x) => x != null);
  loadgenMax[server] = pcts.length ? Math.max(...pcts) : null;
}

const fmt = (x) => {
  if (x === null || x === undefined) return "–";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
};
const failNote = (n) => (n > 0 ? ` (${n} run${n > 1 ? "s" : ""} failed)` : "");
const lines = [
  "| metric | Switchboard | Node Socket.IO | kernel floor | Node/SB | target | verdict |",
  "|---|---:|---:|---:|---:|---|---|",
  ...rows.map((r) =>
    `| ${r.metric} | ${fmt(r.switchboard)}${failNote(r.failed_runs.switchboard)} | ${fmt(r.node)}${failNote(r.failed_runs.node)} | ` +
    `${fmt(r.floor)}${failNote(r.failed_runs.floor)} | ` +
    `${r.node_over_switchboard === null ? "–" : r.node_over_switchboard.toFixed(2)} | ${r.target ?? ""} | ${r.text} |`),
  `| load generator CPU, busiest run (% of its core) | ${fmt(loadgenMax.switchboard)} | ${fmt(loadgenMax.node)} | | | < 100: not the bottleneck | |`,
];
console.log(`\nmedians of ${s.reps} runs, ${meta.date}, switchboard ${meta.switchboard_commit}, node ${meta.node}, ` +
  `socket.io ${meta.socket_io}; load average ${meta.load_average_before} before, ${meta.load_average_after} after\n`);
console.log(lines.join("\n"));

const medians = {};
for (const server of ["switchboard", "node", "floor"]) {
  medians[server] = {};
  for (const c of new Set(runs.map((r) => r.case))) {
    const okr = okRuns(server, c);
    if (okr.length === 0) continue;
    const m = {};
    for (const key of Object.keys(okr[0].result)) {
      const v = median(okr.map((r) => r.result[key]).filter((x) => typeof x === "number"));
      if (v !== null) m[key] = v;
    }
    if (okr[0].result.latency_ms) {
      m.latency_ms = {};
      for (const k of Object.keys(okr[0].result.latency_ms)) m.latency_ms[k] = median(okr.map((r) => r.result.latency_ms[k]));
    }
    medians[server][c] = m;
  }
}
writeFileSync(outJson, JSON.stringify({ meta, table: rows, loadgen_cpu_pct_max: loadgenMax, medians, runs }, null, 1) + "\n");
console.log(`\nwrote ${outJson}`);

// The plot: one small bar chart per headline figure, Switchboard beside Node.
const row = (caseName, metricStart) => rows.find((r) => r.case === caseName && r.metric.startsWith(metricStart));
const panels = [
  ["CPU-s per million deliveries\\nfull speed (lower is better)", row("fanout", "CPU")],
  [`CPU-s per million deliveries\\n${s.rate} msg/s (lower is better)`, row("rate", "CPU")],
  ["deliveries per second\\nfull speed (higher is better)", row("fanout", "deliveries")],
  [`RSS per connected client, KiB\\n${s.broadcast_clients} clients (lower is better)`, row("broadcast", "RSS")],
  ["handshakes per second\\n(higher is better)", row("connect", "handshakes")],
  [`2 nodes + Redis, p99 ms\\n${s.rate} msg/s (lower is better)`, row("cluster", "2 nodes")],
];
try {
  execFileSync("gnuplot", ["--version"], { stdio: "ignore" });
} catch {
  console.log("gnuplot not found: no PNG (apt-get install -y gnuplot-nox)");
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "bench-plot-"));
const data = panels
  .map(([, r]) => `"Switchboard" ${r.switchboard ?? 0} "${fmt(r.switchboard)}"\n"Node" ${r.node ?? 0} "${fmt(r.node)}"\n`)
  .join("\n\n");
writeFileSync(join(dir, "data"), data);
const script = [
  `set terminal pngcairo size 1200,720 font "DejaVu Sans,10"`,
  `set output "${outPng}"`,
  `set multiplot layout 2,3 title "Switchboard vs Node.js Socket.IO ${meta.socket_io} — medians of ${s.reps} runs, ${meta.date.slice(0, 10)}, ${s.clients} clients, ${s.size}-byte messages"`,
  "set style fill solid 0.85 border -1",
  "set boxwidth 0.6",
  "set yrange [0:*]",
  "set offsets 0.4, 0.4, graph 0.15, 0",
  "unset key",
  "set grid ytics",
  ...panels.flatMap(([title, r], i) => [
    `set title "${title}"`,
    Math.max(r.switchboard ?? 0, r.node ?? 0) >= 10000 ? "set format y '%.1s%c'" : "set format y '%g'",
    `plot "${join(dir, "data")}" index ${i} using 0:2:($0 == 0 ? 0x2a6fbb : 0xd9822b):xtic(1) with boxes lc rgb variable, ` +
      `"" index ${i} using 0:2:3 with labels offset 0,0.8`,
  ]),
  "unset multiplot",
].join("\n");
writeFileSync(join(dir, "plot.gp"), script);
try {
  execFileSync("gnuplot", [join(dir, "plot.gp")], { stdio: "inherit" });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`wrote ${outPng}`);
