// The chat page: speaks the chat event contract (DESIGN.md §4) with the official Socket.IO client.
// Every text from the network is rendered with textContent, never as HTML.
(() => {
  const $ = (id) => document.getElementById(id);
  const rooms = new Map(); // room -> {messages: [], unread: 0}
  let current = null;
  let socket = null;
  let typingTimer = null;

  function setState(text, cls) {
    $("state").textContent = text;
    $("state").className = "state " + (cls || "");
  }

  function renderRooms() {
    const ul = $("rooms");
    ul.replaceChildren();
    for (const [name, r] of rooms) {
      const li = document.createElement("li");
      li.textContent = "#" + name;
      if (name === current) li.classList.add("active");
      if (r.unread) {
        const badge = document.createElement("span");
        badge.className = "unread";
        badge.textContent = r.unread;
        li.append(badge);
      }
      li.onclick = () => select(name);
      ul.append(li);
    }
  }

  function line(entry) {
    const li = document.createElement("li");
    if (entry.meta) {
      li.className = "meta";
      li.textContent = entry.meta;
    } else {
      const user = document.createElement("span");
      user.className = "user";
      user.textContent = entry.user;
      li.append(user, document.createTextNode(entry.text));
    }
    return li;
  }

  function select(name) {
    current = name;
    const r = rooms.get(name);
    r.unread = 0;
    $("messages").replaceChildren(...r.messages.map(line));
    $("messages").scrollTop = $("messages").scrollHeight;
    renderRooms();
  }

  function add(room, entry) {
    const r = rooms.get(room);
    if (!r) return;
    r.messages.push(entry);
    if (room === current) {
      $("messages").append(line(entry));
      $("messages").scrollTop = $("messages").scrollHeight;
    } else {
      r.unread++;
      renderRooms();
    }
  }

  function join(room) {
    socket.emit("join", { room }, (res) => {
      if (!res || !res.ok) return alert(res ? res.message : "join failed");
      if (!rooms.has(room)) rooms.set(room, { messages: (res.history || []).slice().reverse(), unread: 0 });
      select(room);
    });
  }

  $("login").onsubmit = (e) => {
    e.preventDefault();
    const name = $("name").value.trim();
    if (!name) return;
    socket = io({ auth: { name } });
    socket.on("connect", () => {
      const polling = socket.io.engine.transport.name === "polling";
      setState(polling ? "connected (polling)" : "connected", polling ? "polling" : "connected");
      socket.io.engine.once("upgrade", () => setState("connected", "connected"));
      for (const room of rooms.keys()) socket.emit("join", { room }, () => {});
    });
    socket.io.on("reconnect_attempt", () => setState("reconnecting…"));
    socket.on("disconnect", () => setState("offline"));
    socket.on("connect_error", (err) => setState("error: " + (err.data && err.data.message ? err.data.message : err.message)));
    socket.on("message", (m) => add(m.room, { user: m.user, text: m.text }));
    socket.on("presence", (p) => add(p.room, { meta: `${p.user} ${p.action === "join" ? "joined" : "left"}` }));
    socket.on("typing", (t) => {
      if (t.room !== current) return;
      $("typing").textContent = `${t.user} is typing…`;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => ($("typing").textContent = ""), 2000);
    });
    $("login").hidden = true;
    $("chat").hidden = false;
    rooms.set("lobby", { messages: [], unread: 0 });
    join("lobby");
  };

  $("join").onsubmit = (e) => {
    e.preventDefault();
    const room = $("room").value.trim();
    if (room) join(room);
    $("room").value = "";
  };

  $("send").onsubmit = (e) => {
    e.preventDefault();
    const text = $("text").value;
    if (!text || !current) return;
    socket.emit("message", { room: current, text }, (res) => {
      if (!res || !res.ok) alert(res ? res.message : "not sent");
    });
    $("text").value = "";
  };

  $("text").oninput = () => current && socket.emit("typing", { room: current });
})();
