// The chat page: speaks the chat contract of docs/user-guide.md with the official Socket.IO client.
// Everything that comes from the network or the user is rendered with textContent /
// createElement, never as HTML, so a message can never run script.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const NAME_KEY = "switchboard.name";
  // A token lives for this tab only (sessionStorage): it is a credential, unlike a name.
  const TOKEN_KEY = "switchboard.token";
  const ROOMS_KEY = "switchboard.rooms";
  const CURRENT_KEY = "switchboard.current";
  const TYPING_EVERY_MS = 2000; // we emit `typing` at most this often (server rate-limits it)
  const TYPING_SHOW_MS = 3000; // how long "X is typing…" stays after the last `typing` event
  const ACK_TIMEOUT_MS = 10000;
  const KEEP_MESSAGES = 500; // per room, so a long-open tab does not grow without bound
  const PAGE = 50; // join's history size and our "load older" page

  // room -> {messages: [], members: Set, unread, typing: Map(user -> timer), hasMore, joined}
  const rooms = new Map();
  let current = null;
  let name = null; // who we are: the open-mode name, or the token's sub
  let token = null; // with a server that wants signed tokens
  let socket = null;
  let lastTypingSent = 0;

  // ---- small helpers ----------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function load(key, fallback) {
    try {
      const v = localStorage.getItem(key);
      return v === null ? fallback : JSON.parse(v);
    } catch {
      return fallback; // storage disabled or corrupted: start fresh
    }
  }

  function save(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* private mode: the page still works, it just forgets */
    }
  }

  function saveRooms() {
    save(ROOMS_KEY, [...rooms.keys()]);
    save(CURRENT_KEY, current);
  }

  // A stable pleasant colour per user name, so people are recognisable at a glance.
  function hue(text) {
    let h = 0;
    for (const ch of text) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function avatar(user) {
    const a = el("span", "avatar", ([...user][0] || "?").toUpperCase());
    a.style.background = `hsl(${hue(user)} 55% 45%)`;
    a.setAttribute("aria-hidden", "true");
    return a;
  }

  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

  let noticeSeq = 0;
  function notify(text, kind = "error") {
    const n = el("div", `notice ${kind}`, text);
    n.setAttribute("role", kind === "error" ? "alert" : "status");
    n.dataset.testid = kind;
    n.id = `notice-${++noticeSeq}`;
    const close = el("button", "ghost close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.onclick = () => n.remove();
    n.append(close);
    $("notices").append(n);
    setTimeout(() => n.remove(), 8000);
  }

  // Refusals a person should read in plain words rather than as the server's code.
  const PLAIN = {
    forbidden: "you don't have access to it",
    room_full: "it is full",
    rate_limited: "too much at once; wait a moment and try again",
  };

  function refusal(what, res) {
    const error = res && res.error ? res.error : "error";
    if (PLAIN[error]) return notify(`${what}: ${PLAIN[error]}.`);
    const message = res && res.message ? res.message : "no answer from the server";
    notify(`${what}: ${message} (${error})`);
  }

  // emit with an ack that always answers: the server's reply or {ok:false} on timeout.
  function request(event, payload) {
    return new Promise((resolve) => {
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, res) => {
        resolve(err ? { ok: false, error: "timeout", message: "the server did not answer" } : res);
      });
    });
  }

  // ---- connection state ---------------------------------------------------------------------

  function setConn(state, text) {
    const c = $("conn-state");
    c.dataset.state = state;
    c.textContent = text;
  }

  // Called on connect and on every transport upgrade: polling means WebSocket is unavailable
  // (or not yet upgraded), which the user may want to know about on a flaky network.
  function showTransport() {
    if (!socket || !socket.connected) return;
    const polling = socket.io.engine.transport.name === "polling";
    setConn(polling ? "polling" : "connected", polling ? "polling fallback" : "connected");
  }

  // ---- rendering ---------------------------------------------------------------------------

  function roomRecord(room) {
    let r = rooms.get(room);
    if (!r) {
      r = { messages: [], members: new Set(), unread: 0, typing: new Map(), hasMore: false, joined: false };
      rooms.set(room, r);
    }
    return r;
  }

  function renderRooms() {
    const ul = $("room-list");
    ul.replaceChildren();
    let totalUnread = 0;
    for (const [room, r] of rooms) {
      totalUnread += r.unread;
      const li = el("li", "room");
      li.dataset.testid = "room";
      li.dataset.room = room;
      if (room === current) li.classList.add("active");
      if (!r.joined) li.classList.add("pending");
      const open = el("button", "room-name", "#" + room);
      open.type = "button";
      open.onclick = () => select(room);
      li.append(open);
      if (r.unread) {
        const badge = el("span", "unread", String(r.unread));
        badge.dataset.testid = "unread";
        badge.setAttribute("aria-label", `${r.unread} unread`);
        li.append(badge);
      }
      const leave = el("button", "ghost leave", "×");
      leave.type = "button";
      leave.title = `Leave #${room}`;
      leave.setAttribute("aria-label", `Leave ${room}`);
      leave.onclick = () => leaveRoom(room);
      li.append(leave);
      ul.append(li);
    }
    document.title = (totalUnread ? `(${totalUnread}) ` : "") + "Switchboard chat";
  }

  function renderMembers() {
    const r = rooms.get(current);
    const ul = $("member-list");
    ul.replaceChildren();
    const members = r ? [...r.members].sort() : [];
    for (const user of members) {
      const li = el("li", "member");
      li.dataset.testid = "member";
      li.dataset.user = user;
      li.append(avatar(user), el("span", "member-name", user));
      if (user === name) li.append(el("span", "muted you", "(you)"));
      ul.append(li);
    }
    const count = members.length ? `${members.length} online` : "";
    $("member-count").textContent = count;
    $("members-toggle").textContent = members.length ? `Members (${members.length})` : "Members";
  }

  function renderTyping() {
    const r = rooms.get(current);
    const users = r ? [...r.typing.keys()] : [];
    let text = "";
    if (users.length === 1) text = `${users[0]} is typing…`;
    else if (users.length === 2) text = `${users[0]} and ${users[1]} are typing…`;
    else if (users.length > 2) text = "Several people are typing…";
    $("typing").textContent = text;
  }

  // One chat line. `prev` lets consecutive lines by one author within 5 min collapse visually.
  function line(entry, prev) {
    if (entry.system) {
      const li = el("li", "system", entry.system);
      li.dataset.testid = "system";
      return li;
    }
    const li = el("li", "msg");
    li.dataset.testid = "message";
    li.dataset.id = String(entry.id);
    li.dataset.user = entry.user;
    if (entry.user === name) li.classList.add("mine");
    const grouped = prev && !prev.system && prev.user === entry.user && entry.ts - prev.ts < 300000;
    if (grouped) li.classList.add("cont");
    li.append(avatar(entry.name || entry.user));
    const body = el("div", "body");
    const head = el("div", "head");
    const author = el("span", "author", entry.name || entry.user);
    if (entry.name && entry.name !== entry.user) author.title = entry.user; // the verified id
    head.append(author);
    if (Number.isFinite(entry.ts)) {
      const time = el("time", "time", timeFmt.format(entry.ts));
      time.dateTime = new Date(entry.ts).toISOString();
      time.title = new Date(entry.ts).toLocaleString();
      head.append(time);
    }
    const text = el("div", "text", entry.text);
    text.dataset.testid = "message-text";
    body.append(head, text);
    li.append(body);
    return li;
  }

  function nearBottom() {
    const s = $("scroller");
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function scrollToBottom() {
    const s = $("scroller");
    s.scrollTop = s.scrollHeight;
  }

  function renderMessages() {
    const r = rooms.get(current);
    const list = r ? r.messages : [];
    $("messages").replaceChildren(...list.map((m, i) => line(m, list[i - 1])));
    $("load-older").hidden = !(r && r.hasMore);
    scrollToBottom();
  }

  function select(room, { focus = true } = {}) {
    if (!rooms.has(room)) return;
    current = room;
    const r = rooms.get(room);
    r.unread = 0;
    $("room-title").textContent = "#" + room;
    saveRooms();
    renderRooms();
    renderMessages();
    renderMembers();
    renderTyping();
    if (focus) $("message-input").focus();
  }

  function push(room, entry) {
    const r = rooms.get(room);
    if (!r) return;
    const prev = r.messages[r.messages.length - 1];
    r.messages.push(entry);
    if (r.messages.length > KEEP_MESSAGES) r.messages.splice(0, r.messages.length - KEEP_MESSAGES);
    if (room !== current) {
      if (!entry.system) {
        r.unread++;
        renderRooms();
      }
      return;
    }
    const stick = nearBottom() || entry.user === name;
    $("messages").append(line(entry, prev));
    if (stick) scrollToBottom();
  }

  function firstId(r) {
    for (const m of r.messages) if (m.id !== undefined) return m.id;
    return undefined;
  }

  // ---- room actions ---------------------------------------------------------------------------

  // Adds the messages we do not have yet at their place by id, so a re-join after a reconnect
  // fills the gap without duplicating lines. Returns how many were new.
  function merge(r, history) {
    const have = new Set(r.messages.map((m) => m.id).filter((id) => id !== undefined));
    let added = 0;
    for (const m of history) {
      if (!m || have.has(m.id)) continue;
      // before the first newer message, else at the end (the usual case after a reconnect)
      const at = r.messages.findIndex((x) => x.id !== undefined && x.id > m.id);
      r.messages.splice(at === -1 ? r.messages.length : at, 0, m);
      added++;
    }
    return added;
  }

  async function joinRoom(room, { focus }) {
    const res = await request("join", { room });
    if (!res || !res.ok) {
      refusal(`Could not join #${room}`, res);
      // a bad name will never work: forget it; anything else (a timeout…) is retried on reconnect
      const r = rooms.get(room);
      if (r && !r.joined && res && ["bad_request", "forbidden", "room_full"].includes(res.error)) {
        rooms.delete(room);
        if (current === room) current = null;
        saveRooms();
        afterRoomsChanged();
      }
      return;
    }
    const r = roomRecord(room);
    const fresh = !r.joined && r.messages.length === 0;
    r.joined = true;
    r.members = new Set(res.members || []);
    const history = Array.isArray(res.history) ? res.history : [];
    const added = merge(r, history);
    if (fresh) r.hasMore = history.length >= PAGE;
    else if (room !== current) r.unread += added; // missed while we were disconnected
    if (focus || current === null) select(room, { focus });
    else if (current === room) select(room, { focus: false });
    else renderRooms();
    saveRooms();
  }

  async function leaveRoom(room) {
    const r = rooms.get(room);
    if (r && r.joined && socket && socket.connected) {
      const res = await request("leave", { room });
      if (!res || !res.ok) return refusal(`Could not leave #${room}`, res);
    }
    rooms.delete(room);
    if (current === room) current = null;
    saveRooms();
    afterRoomsChanged();
  }

  function afterRoomsChanged() {
    if (current === null && rooms.size) return select(rooms.keys().next().value);
    renderRooms();
    if (current === null) {
      $("room-title").textContent = "No room — join one";
      renderMessages();
      renderMembers();
      renderTyping();
    }
  }

  async function loadOlder() {
    const r = rooms.get(current);
    const before = r && firstId(r);
    if (!r || before === undefined) return;
    if (!socket || !socket.connected) return notify("Not connected.");
    const room = current;
    const res = await request("history", { room, before, limit: PAGE });
    if (!res || !res.ok) return refusal("Could not load older messages", res);
    const older = (res.messages || []).slice().reverse(); // the server answers newest first
    r.messages.unshift(...older.filter((m) => m.id < before));
    r.hasMore = (res.messages || []).length >= PAGE;
    if (room !== current) return;
    const s = $("scroller");
    const fromBottom = s.scrollHeight - s.scrollTop;
    renderMessages();
    s.scrollTop = s.scrollHeight - fromBottom; // keep the line the user was reading in place
  }

  // ---- socket ---------------------------------------------------------------------------------

  function connect() {
    if (socket) socket.close();
    setConn("connecting", "connecting…");
    // A function, so that a reconnect presents the token as it is then (a new one after sign-in).
    const s = io({ auth: (cb) => cb(token ? { token } : { name }) });
    socket = s;
    const upgradeWatched = new WeakSet(); // each reconnect brings a new engine

    s.on("connect", () => {
      const engine = s.io.engine;
      if (!upgradeWatched.has(engine)) {
        upgradeWatched.add(engine);
        engine.on("upgrade", showTransport);
      }
      showTransport();
      for (const r of rooms.values()) r.joined = false;
      const focus = current;
      for (const room of [...rooms.keys()]) joinRoom(room, { focus: room === focus });
      renderRooms();
    });
    s.on("disconnect", (reason) => {
      if (s !== socket) return; // a socket we replaced (name change)
      if (reason === "io client disconnect") setConn("offline", "offline");
      else setConn("reconnecting", "reconnecting…");
      for (const r of rooms.values()) {
        r.joined = false;
        r.typing.forEach((t) => clearTimeout(t));
        r.typing.clear();
      }
      renderRooms();
      renderTyping();
    });
    s.io.on("reconnect_attempt", (n) => setConn("reconnecting", `reconnecting… (attempt ${n})`));
    s.on("connect_error", (err) => {
      if (s !== socket) return;
      if (s.active) return setConn("reconnecting", "reconnecting…"); // a network error: it retries
      // refused by the server (e.g. a bad name): the client will not retry, so ask again
      const code = err.data && err.data.error;
      const why = err.data && err.data.message ? err.data.message : err.message;
      setConn("refused", "refused");
      if (code === "token_expired") return showTokenLogin("Your sign-in has expired. Sign in again.");
      if (code === "invalid_token") return showTokenLogin("That sign-in token was not accepted. Try another.");
      if (code === "rate_limited") return notify("Too many attempts from here; wait a minute and try again.");
      if (!token && code === "unauthorized" && /token/.test(why))
        return showTokenLogin("This server checks who you are. Paste the sign-in token your application gave you.");
      notify(`The server refused the connection: ${why}`);
      token ? showTokenLogin("Sign in again.") : showLogin();
    });
    s.on("error", (e) => refusal("The server refused a request", e));

    s.on("message", (m) => {
      const r = rooms.get(m.room);
      if (!r || r.messages.some((x) => x.id === m.id && x.id !== undefined)) return;
      stopTyping(m.room, m.user);
      push(m.room, m);
    });
    s.on("presence", (p) => {
      const r = rooms.get(p.room);
      if (!r) return;
      if (p.action === "join") {
        if (r.members.has(p.user)) return;
        r.members.add(p.user);
        if (p.user !== name) push(p.room, { system: `${p.name || p.user} joined` }); // our own: we know
      } else if (p.action === "leave") {
        if (!r.members.delete(p.user)) return;
        stopTyping(p.room, p.user);
        push(p.room, { system: `${p.name || p.user} left` });
      }
      if (p.room === current) renderMembers();
    });
    s.on("typing", (t) => {
      const r = rooms.get(t.room);
      if (!r || t.user === name) return;
      clearTimeout(r.typing.get(t.user));
      r.typing.set(t.user, setTimeout(() => stopTyping(t.room, t.user), TYPING_SHOW_MS));
      if (t.room === current) renderTyping();
    });
  }

  function stopTyping(room, user) {
    const r = rooms.get(room);
    if (!r || !r.typing.has(user)) return;
    clearTimeout(r.typing.get(user));
    r.typing.delete(user);
    if (room === current) renderTyping();
  }

  // ---- login -------------------------------------------------------------------------------

  function showLogin() {
    $("token-form").hidden = true;
    $("name-form").hidden = false;
    $("chat").hidden = true;
    $("me").hidden = $("change-name").hidden = $("members-toggle").hidden = true;
    $("name-input").value = name || "";
    $("name-input").focus();
  }

  function showTokenLogin(why) {
    token = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // storage disabled: nothing kept
    }
    if (socket) socket.close();
    socket = null;
    $("token-why").textContent = why;
    $("name-form").hidden = $("chat").hidden = true;
    $("me").hidden = $("change-name").hidden = $("members-toggle").hidden = true;
    $("token-form").hidden = false;
    $("token-input").value = "";
    $("token-input").focus();
  }

  // The user a token names (its `sub`), read without checking: only to tell our own messages
  // apart. The server checks the token.
  function subjectOf(jwt) {
    try {
      const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(decodeURIComponent(escape(atob(part))));
      return typeof claims.sub === "string" ? claims.sub : null;
    } catch {
      return null;
    }
  }

  function enterWithToken(t) {
    token = t;
    try {
      sessionStorage.setItem(TOKEN_KEY, t);
    } catch {
      // storage disabled: signed in for this page only
    }
    enter(subjectOf(t) || "you", { remember: false });
  }

  function enter(chosen, { remember = true } = {}) {
    name = chosen;
    if (remember) save(NAME_KEY, name);
    $("name-form").hidden = $("token-form").hidden = true;
    $("chat").hidden = false;
    $("me").hidden = $("members-toggle").hidden = false;
    $("change-name").hidden = token !== null; // a token's user is not ours to change
    $("me").replaceChildren(avatar(name), el("span", "", name));
    if (rooms.size === 0) roomRecord("lobby"); // everyone starts somewhere
    connect();
    afterRoomsChanged();
  }

  // ---- wiring ------------------------------------------------------------------------------

  $("name-form").onsubmit = (e) => {
    e.preventDefault();
    const chosen = $("name-input").value.trim();
    if (!chosen) return;
    if ([...chosen].length > 32) return notify("A name is at most 32 characters.");
    enter(chosen);
  };

  $("token-form").onsubmit = (e) => {
    e.preventDefault();
    const t = $("token-input").value.trim();
    if (t) enterWithToken(t);
  };

  $("change-name").onclick = () => {
    if (socket) socket.close();
    socket = null;
    setConn("offline", "offline");
    showLogin();
  };

  $("join-form").onsubmit = (e) => {
    e.preventDefault();
    const room = $("join-input").value.trim();
    if (!room) return;
    if (new TextEncoder().encode(room).length > 64) return notify("A room name is at most 64 bytes.");
    $("join-input").value = "";
    if (rooms.has(room) && rooms.get(room).joined) return select(room);
    if (!socket || !socket.connected) {
      roomRecord(room); // joined as soon as we are connected again
      return select(room);
    }
    joinRoom(room, { focus: true });
  };

  async function send() {
    const input = $("message-input");
    const text = input.value;
    if (!text.trim() || !current) return;
    if (!socket || !socket.connected) return notify("Not connected — your message was not sent.");
    const room = current;
    input.value = "";
    autosize();
    lastTypingSent = 0; // the next keystroke is a new burst of typing
    const res = await request("message", { room, text });
    if (!res || !res.ok) {
      refusal("Message not sent", res);
      if (!input.value) input.value = text; // give the text back so it is not lost
      autosize();
    }
  }

  $("message-form").onsubmit = (e) => {
    e.preventDefault();
    send();
  };

  $("message-input").onkeydown = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  };

  function autosize() {
    const t = $("message-input");
    t.style.height = "auto";
    t.style.height = Math.min(t.scrollHeight, 160) + "px";
  }

  $("message-input").oninput = () => {
    autosize();
    const now = Date.now();
    if (!current || !$("message-input").value || !socket || !socket.connected) return;
    if (!rooms.get(current)?.joined || now - lastTypingSent < TYPING_EVERY_MS) return;
    lastTypingSent = now;
    socket.emit("typing", { room: current });
  };

  $("load-older").onclick = loadOlder;
  $("members-toggle").onclick = () => document.body.classList.toggle("show-members");

  // ---- start -------------------------------------------------------------------------------

  for (const room of load(ROOMS_KEY, [])) if (typeof room === "string" && room) roomRecord(room);
  const savedCurrent = load(CURRENT_KEY, null);
  if (rooms.has(savedCurrent)) current = savedCurrent;
  // ?token=… signs in, and leaves the address bar (and so the history and bookmarks) at once.
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get("token");
  if (fromUrl !== null) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  }
  let savedToken = null;
  try {
    savedToken = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // storage disabled
  }
  const savedName = load(NAME_KEY, null);
  if (fromUrl) enterWithToken(fromUrl);
  else if (savedToken) enterWithToken(savedToken);
  else if (typeof savedName === "string" && savedName.trim()) enter(savedName.trim());
  else showLogin();
})();
