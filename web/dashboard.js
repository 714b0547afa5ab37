// The live dashboard: one `/admin` socket, authenticated with the server's --api-key, renders
// every `stats` event (docs/user-guide.md, "Dashboard"). All network text goes through
// textContent; the chart is drawn by hand on a canvas so the page needs nothing but the
// Socket.IO client bundle.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const KEY_STORE = "switchboard.adminKey";
  const WINDOW_S = 60; // chart width in seconds
  const STALE_MS = 3500; // stats come every second; this long without one means trouble

  const samples = []; // {t (ms), m (messages/s), d (deliveries/s)}
  const expanded = new Map(); // room -> {count, names|null}: rows whose member names are shown
  const rows = new Map(); // room -> {tr, count, who}: the table's rows
  let socket = null;
  let lastStats = 0;
  let lastRooms = [];

  // ---- key: ?key= wins, then this tab's sessionStorage ----------------------------------------

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORE);
    } catch {
      return null;
    }
  }

  function storeKey(key) {
    try {
      if (key === null) sessionStorage.removeItem(KEY_STORE);
      else sessionStorage.setItem(KEY_STORE, key);
    } catch {
      /* storage disabled: the key lives only in this page */
    }
  }

  function keyFromUrl() {
    const url = new URL(location.href);
    const key = url.searchParams.get("key");
    if (key === null) return null;
    // keep the secret out of the address bar, history and anything copied from it
    url.searchParams.delete("key");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
    return key;
  }

  // ---- connection --------------------------------------------------------------------------

  function setState(state, text) {
    $("dash-state").dataset.state = state;
    $("dash-state").textContent = text;
  }

  function showAuthError(text) {
    $("auth-error").textContent = text;
    $("auth-error").hidden = !text;
  }

  let currentKey = null; // the key the feed was opened with, for the API's member lists

  function connect(key) {
    currentKey = key || null;
    if (socket) socket.close();
    showAuthError("");
    setState("connecting", "connecting…");
    const s = io("/admin", { auth: { key: key || "" } });
    socket = s;
    s.on("connect", () => {
      $("key-form").hidden = true;
      setState("connected", "live");
    });
    s.on("disconnect", (reason) => {
      if (s !== socket) return;
      if (reason === "io client disconnect") setState("offline", "offline");
      else setState("reconnecting", "reconnecting…"); // the client retries by itself
    });
    s.on("connect_error", (err) => {
      if (s !== socket) return;
      if (s.active) return setState("reconnecting", "reconnecting…"); // network trouble: it retries
      // refused by the server: a wrong or missing key, the client will not retry by itself
      const detail = err.data && err.data.message ? ` (${err.data.message})` : "";
      setState("refused", "refused");
      showAuthError(
        key
          ? `The server refused this key: ${err.message}${detail}. Enter the right --api-key.`
          : `This server needs a key: ${err.message}${detail}.`,
      );
      storeKey(null);
      $("key-form").hidden = false;
      $("key-input").focus();
    });
    s.on("stats", render);
  }

  // ---- rendering ---------------------------------------------------------------------------

  const num = (v) => (Number.isFinite(v) ? String(v) : "–");
  const rate = (v) => (Number.isFinite(v) ? v.toFixed(1) : "–");

  function setNum(id, value, fmt = num) {
    $(id).textContent = fmt(value);
    $(id).dataset.value = Number.isFinite(value) ? String(value) : "";
  }

  function uptime(s) {
    if (!Number.isFinite(s)) return "–";
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const parts = d ? [`${d}d`, `${h}h`, `${m}m`] : h ? [`${h}h`, `${m}m`] : [];
    return parts.concat(`${Math.floor(s % 60)}s`).join(" ");
  }

  function render(stats) {
    if (!stats || typeof stats !== "object") return;
    lastStats = Date.now();
    setState("connected", "live");
    const totals = stats.totals || {};
    const conns = stats.connections || {};
    const rates = stats.rates || {};
    $("node-id").textContent = stats.node ?? "–";
    $("uptime").textContent = uptime(stats.uptime_s);
    $("uptime").dataset.seconds = num(stats.uptime_s);
    setNum("total-messages", totals.messages);
    setNum("total-deliveries", totals.deliveries);
    setNum("total-dropped", totals.dropped);
    setNum("total-slow", totals.slow_consumer_disconnects);
    setNum("conn-websocket", conns.websocket);
    setNum("conn-polling", conns.polling);
    setNum("conn-total", (conns.websocket || 0) + (conns.polling || 0));
    setNum("rate-messages", rates.messages_per_s, rate);
    setNum("rate-deliveries", rates.deliveries_per_s, rate);
    const redis = (stats.redis && stats.redis.state) || "–";
    $("redis-state").textContent = redis;
    $("redis-state").dataset.state = redis;
    renderRooms(Array.isArray(stats.rooms) ? stats.rooms : []);
    renderNodes(Array.isArray(stats.nodes) ? stats.nodes : []);
    samples.push({ t: lastStats, m: rates.messages_per_s || 0, d: rates.deliveries_per_s || 0 });
    while (samples.length && samples[0].t < lastStats - WINDOW_S * 1000) samples.shift();
    drawChart();
  }

  // Every node of the cluster (this one alone without Redis); rebuilt each second, text only.
  function renderNodes(nodes) {
    $("node-count").textContent = `(${nodes.length})`;
    const rowsOut = nodes.map((n) => {
      const tr = document.createElement("tr");
      tr.dataset.testid = "node-row";
      const cells = [
        String(n.node ?? "–"),
        num(n.connections),
        rate(n.messages_per_s),
        rate(n.deliveries_per_s),
        String(n.redis ?? "–"),
      ];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        if (i > 0 && i < 4) td.className = "right num-cell";
        td.textContent = text;
        tr.append(td);
      });
      return tr;
    });
    $("nodes-table").tBodies[0].replaceChildren(...rowsOut);
  }

  // Rows are updated in place, not rebuilt each second, so a click on "show" is never lost to a
  // re-render between mouse down and mouse up.
  function renderRooms(rooms) {
    lastRooms = rooms;
    const body = $("rooms-table").tBodies[0];
    $("rooms-empty").hidden = rooms.length > 0;
    const capped = rooms.length >= 100 ? ", the largest" : ""; // the server sends at most 100
    $("room-count").textContent = rooms.length ? `(${rooms.length}${capped})` : "";
    const seen = new Set();
    rooms.forEach(({ room, members }, i) => {
      seen.add(room);
      let row = rows.get(room);
      if (!row) rows.set(room, (row = makeRow(room)));
      row.count.textContent = num(members);
      updateWho(row, room, members);
      if (body.children[i] !== row.tr) body.insertBefore(row.tr, body.children[i] || null);
    });
    for (const [room, row] of rows) {
      if (seen.has(room)) continue;
      row.tr.remove();
      rows.delete(room);
      expanded.delete(room);
    }
  }

  function makeRow(room) {
    const tr = document.createElement("tr");
    tr.dataset.testid = "room-row";
    tr.dataset.room = room;
    const name = document.createElement("td");
    name.className = "room";
    name.textContent = room;
    const count = document.createElement("td");
    count.className = "right num-cell";
    const who = document.createElement("td");
    tr.append(name, count, who);
    return { tr, count, who };
  }

  // Member names are not in `stats` (only counts); they come from GET /api/rooms/{room}/members,
  // fetched on demand and again whenever the room's count changes.
  function updateWho(row, room, members) {
    const open = expanded.get(room);
    if (!open) {
      if (row.who.querySelector("button")) return;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "ghost";
      b.textContent = "show";
      b.onclick = () => {
        expanded.set(room, { count: -1, names: null });
        renderRooms(lastRooms);
      };
      row.who.replaceChildren(b);
      return;
    }
    if (open.count !== members) fetchMembers(room, members);
    let span = row.who.querySelector(".names");
    if (!span) {
      span = document.createElement("span");
      span.className = "names";
      row.who.replaceChildren(span);
    }
    span.textContent = open.names ? open.names.join(", ") : "…";
  }

  async function fetchMembers(room, count) {
    const entry = expanded.get(room);
    if (!entry || entry.loading) return;
    entry.loading = true;
    entry.count = count;
    try {
      // The API wants the same key as the feed (none from this machine without --api-key).
      const headers = currentKey ? { authorization: `Bearer ${currentKey}` } : {};
      const res = await fetch(`/api/rooms/${encodeURIComponent(room)}/members`, { headers });
      const body = await res.json();
      entry.names = Array.isArray(body.members) ? body.members : [`(${body.error || res.status})`];
    } catch (e) {
      entry.names = [`(${e.message})`];
    } finally {
      entry.loading = false;
    }
    renderRooms(lastRooms); // show the names now rather than at the next tick
  }

  // ---- chart -------------------------------------------------------------------------------

  function drawChart() {
    const canvas = $("rate-chart");
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);

    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const pad = { l: 44, r: 8, t: 8, b: 20 };
    const plotW = w - pad.l - pad.r;
    const plotH = h - pad.t - pad.b;
    const now = samples.length ? samples[samples.length - 1].t : Date.now();
    const max = niceMax(Math.max(1, ...samples.map((s) => Math.max(s.m, s.d))));
    const x = (t) => pad.l + plotW * (1 - (now - t) / (WINDOW_S * 1000));
    const y = (v) => pad.t + plotH * (1 - v / max);

    // grid and labels: four horizontal lines, time ticks every 15 s
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = color("--muted");
    ctx.strokeStyle = color("--line");
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, yy);
      ctx.lineTo(w - pad.r, yy);
      ctx.stroke();
      ctx.fillText(String(Number(v.toFixed(2))), pad.l - 6, yy);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let s = 0; s <= WINDOW_S; s += 15) {
      ctx.textAlign = s === 0 ? "right" : s === WINDOW_S ? "left" : "center"; // stay inside the canvas
      ctx.fillText(s ? `-${s}s` : "now", x(now - s * 1000), h - pad.b + 4);
    }

    line(ctx, samples, "d", x, y, color("--deliveries"));
    line(ctx, samples, "m", x, y, color("--messages"));
  }

  function line(ctx, points, key, x, y, stroke) {
    if (points.length === 0) return;
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.lineJoin = "round";
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(x(p.t), y(p[key])) : ctx.moveTo(x(p.t), y(p[key]))));
    ctx.stroke();
  }

  // 1, 2, 5 × 10^n at or above v, so axis labels are round numbers.
  function niceMax(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  // ---- wiring ------------------------------------------------------------------------------

  $("key-form").onsubmit = (e) => {
    e.preventDefault();
    const key = $("key-input").value;
    storeKey(key);
    $("key-input").value = "";
    connect(key);
  };

  $("forget-key").onclick = () => {
    storeKey(null);
    if (socket) socket.close();
    socket = null;
    setState("offline", "offline");
    $("key-form").hidden = false;
    $("key-input").focus();
  };

  // the server pushes every second; flag silence so a frozen number is not mistaken for calm
  setInterval(() => {
    if (socket && socket.connected && lastStats && Date.now() - lastStats > STALE_MS) {
      setState("stale", "no data for " + Math.round((Date.now() - lastStats) / 1000) + " s");
    }
  }, 1000);
  window.addEventListener("resize", drawChart);

  const urlKey = keyFromUrl();
  if (urlKey !== null) storeKey(urlKey);
  // with no key at all, still try: a server without --api-key accepts anything
  connect(urlKey ?? storedKey());
  drawChart();
})();
