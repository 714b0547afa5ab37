#include "chat/chat.h"

#include "access/identity.h"
#include "access/names.h"
#include "base/metrics.h"
#include "base/random_id.h"
#include "chat/chat_socket.h"
#include "chat/requests.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>

namespace switchboard::chat {
namespace {

constexpr size_t join_history = 50;

}  // namespace

chat_app::chat_app(socketio::server& io, storage::history_store& history, storage::presence& presence,
                   storage::presence_directory& directory, options opts)
    : io_(io),
      nsp_(io.of("/")),
      history_(history),
      presence_(presence),
      directory_(directory),
      options_(std::move(opts)) {
  nsp_.use([this](sio_socket& s, socketio::namespace_::next_fn next) { identify(s, std::move(next), false); });
  nsp_.on_connection([this](sio_socket& s) { on_connection(s); });
  nsp_.on_room_change([this](sio_socket& s, const std::string& room, bool joined) { on_room_change(s, room, joined); });
  // Handlers on the namespace, once, not on each socket: an idle connection holds only its
  // socket_state (docs/design.md#performance-model). Every event first takes a token of the socket's event budget
  // (--event-rate-limit).
  const auto on = [this](std::string event, std::function<void(sio_socket&, socket_state&, json, ack_fn)> handler) {
    nsp_.on_socket_event(std::move(event), [this, handler = std::move(handler)](sio_socket& s, json args, ack_fn ack) {
      auto* st = s.context<socket_state>();
      if (!st) return;  // not through on_connection: not a chat socket
      if (!st->events.take(options_.event_rate))
        return refuse(s, ack, "rate_limited", "too many events; wait a moment and retry");
      handler(s, *st, std::move(args), std::move(ack));
    });
  };
  on("join", [this](sio_socket& s, socket_state& st, json args, ack_fn ack) { on_join(s, st, args, std::move(ack)); });
  on("leave", [this](sio_socket& s, socket_state&, json args, ack_fn ack) { on_leave(s, args, ack); });
  on("message",
     [this](sio_socket& s, socket_state& st, json args, ack_fn ack) { on_message(s, st, args, std::move(ack)); });
  on("typing", [this](sio_socket& s, socket_state& st, json args, ack_fn ack) { on_typing(s, st, args, ack); });
  on("history", [this](sio_socket& s, socket_state&, json args, ack_fn ack) { on_history(s, args, std::move(ack)); });
  for (const auto& [event, relay] : options_.relays) {
    on(event, [this, &event, &relay](sio_socket& s, socket_state& st, json args, ack_fn ack) {
      on_relayed(s, st, event, relay, args, std::move(ack));
    });
  }
  if (options_.backend) {
    for (const auto& [event, hook] : options_.backend->rpc()) {
      on(event, [this, &event, h = hook.get()](sio_socket& s, socket_state& st, json args, ack_fn ack) {
        on_rpc(s, st, event, *h, std::move(args), std::move(ack));
      });
    }
  }
  nsp_.on_socket_disconnect([this](sio_socket& s, std::string_view) {
    if (s.context<socket_state>()) on_disconnect(s);
  });
}

boost::asio::io_context& chat_app::this_worker() { return io_.loops().context(loop_group::current()); }

// The identity is set here, on every CONNECT: a recovered socket is checked again and must be the
// same user as before (its rooms are that user's).
void chat_app::identify(sio_socket& s, socketio::namespace_::next_fn next, bool fetched_keys) {
  const auto refuse_connect = [&next](const std::string& error, const std::string& message) {
    next(socketio::connect_error{"unauthorized", json{{"error", error}, {"message", message}}});
  };
  const std::string address(s.handshake_data().info->address());
  const bool credentials = options_.jwt || connect_hook();
  // A token is a credential: an address that presented too many bad ones waits, right or wrong.
  if (credentials && options_.auth_failures && options_.auth_failures->wait(address) > 0) {
    metrics::add(metrics::counter::rate_limited);
    return refuse_connect("rate_limited", "too many refused credentials from this address; retry later");
  }
  if (connect_hook()) return identify_by_hook(s, std::move(next));
  const auto policy = options_.jwt ? options_.jwt->current() : nullptr;
  auto r = access::identify(s.handshake_data().auth(), policy.get(), unix_seconds());
  if (r.unknown_key && !fetched_keys && options_.jwt->fetches()) {
    // Signed by a key the node has not fetched yet (the provider rotated its keys): fetch the key
    // set again, then check once more on the socket's worker.
    return options_.jwt->fetch_again([this, &worker = this_worker(), self = s.shared_from_this(), next]() mutable {
      boost::asio::post(worker, [this, self, next] { identify(*self, next, true); });
    });
  }
  if (r.refusal) {
    if (options_.jwt && options_.auth_failures && r.refusal->error != "unauthorized")
      options_.auth_failures->take(address);
    return refuse_connect(r.refusal->error, r.refusal->message);
  }
  admit_identity(s, std::move(r.who), json(), next);
}

void chat_app::admit_identity(sio_socket& s, access::identity who, json app_data,
                              const socketio::namespace_::next_fn& next) {
  if (s.recovered() && user_of(s) != who.user) {
    return next(socketio::connect_error{
        "unauthorized", json{{"error", "unauthorized"}, {"message", "this session belongs to another user"}}});
  }
  json data = s.data();
  if (!data.is_object()) data = json::object();
  data["user"] = who.user;
  // The display name only where it differs from the user id (a token's name claim): every idle
  // socket keeps its data, and in open mode the two are one.
  if (who.name != who.user) {
    data["name"] = who.name;
  } else {
    data.erase("name");
  }
  // What the backend's connect hook said of the socket, passed to later hooks.
  if (!app_data.is_null()) data["data"] = std::move(app_data);
  s.set_data(data);
  auto st = std::make_shared<socket_state>(options_.rate, options_.event_rate);
  if (!who.rooms.empty() || who.expires_at)
    st->token.reset(new socket_state::token_grant{std::move(who.rooms), who.expires_at, nullptr});
  s.set_context(std::move(st));
  next(std::nullopt);
}

void chat_app::close_when_token_expires(sio_socket& s, socket_state& st, int64_t expires_at) {
  const auto left = std::chrono::seconds(expires_at + options_.jwt->current()->leeway_seconds - unix_seconds());
  auto& expiry = st.token->expiry;
  expiry = std::make_unique<boost::asio::steady_timer>(this_worker(), left);
  // A transport close, not a server disconnect: the official client reconnects by itself and
  // asks its `auth` callback for a fresh token.
  expiry->async_wait([weak = s.weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock(); self && self->connected()) self->close_transport();
  });
}

void chat_app::on_connection(sio_socket& s) {
  auto* st = s.context<socket_state>();
  if (!st) return;
  if (st->token && st->token->expires_at) close_when_token_expires(s, *st, *st->token->expires_at);
  const auto user = user_of(s);
  s.join(user_room(user));
  // A recovered socket is back in its rooms: its user is present there again.
  if (s.recovered()) {
    for (const auto& room : s.joined_rooms()) {
      bool was_empty = false;
      if (!access::reserved_room(room) && presence_.add(room, user, was_empty))
        presence_changed(room, user, name_of(s), true, was_empty);
    }
  }
}

void chat_app::on_join(sio_socket& s, socket_state& st, const json& args, ack_fn ack) {
  std::string room;
  if (auto bad = read_join(args, room)) return refuse(s, ack, *bad);
  if (access::reserved_room(room))
    return refuse(s, ack, "forbidden", "that room name is reserved (user: rooms and socket ids)");
  if (in_room(s, room)) return answer_join(room, std::move(ack));
  const auto& rule = options_.rooms.for_room(room);
  if (rule.join == access::join_rule::hook) return ask_join_hook(s, room, std::move(ack));
  if (auto refused = join_refusal(st, rule, room)) return refuse(s, ack, *refused);
  admit_join(s, room, std::move(ack));
}

void chat_app::admit_join(sio_socket& s, const std::string& room, ack_fn ack) {
  const auto& rule = options_.rooms.for_room(room);
  if (options_.max_rooms_per_socket > 0 && joined_by_request(s) >= options_.max_rooms_per_socket) {
    metrics::add(metrics::counter::joins_refused);
    return refuse(
        s, ack, "too_many_rooms",
        "a socket may be in at most " + std::to_string(options_.max_rooms_per_socket) + " rooms; leave one first");
  }
  if (rule.max_members == 0) return enter(s, room, std::move(ack));
  // Distinct users, cluster-wide; a user already in the room through another socket is no new one.
  directory_.members(room, this_worker(),
                     [this, weak = s.weak_from_this(), room, most = rule.max_members,
                      ack = std::move(ack)](std::vector<std::string> members) mutable {
                       auto self = weak.lock();
                       if (!self || !self->connected()) return;
                       const auto user = user_of(*self);
                       const bool present = std::find(members.begin(), members.end(), user) != members.end();
                       if (!present && members.size() >= most) {
                         metrics::add(metrics::counter::joins_refused);
                         return refuse(*self, ack, "room_full",
                                       "the room is full: it has its limit of " + std::to_string(most) + " members");
                       }
                       if (in_room(*self, room)) return answer_join(room, std::move(ack));
                       enter(*self, room, std::move(ack));
                     });
}

std::optional<refusal> chat_app::join_refusal(const socket_state& st, const access::room_rule& rule,
                                              const std::string& room) const {
  switch (rule.join) {
    case access::join_rule::anyone:
      return std::nullopt;
    case access::join_rule::token:
      if (st.token && access::room_rules::granted(st.token->rooms, room)) return std::nullopt;
      return refusal{"forbidden", "your token does not grant this room (its rooms claim)"};
    case access::join_rule::hook:  // asked of the backend before this
    case access::join_rule::nobody:
      break;
  }
  return refusal{"forbidden", "nobody may join this room; the server adds its members"};
}

void chat_app::enter(sio_socket& s, const std::string& room, ack_fn ack) {
  s.join(room);
  answer_join(room, std::move(ack));
}

// Whoever made a chat socket join or leave a room (the socket itself, a hook's action, the HTTP
// API, another server of the cluster): its user's presence follows.
void chat_app::on_room_change(sio_socket& s, const std::string& room, bool joined) {
  if (!s.context<socket_state>() || access::reserved_room(room)) return;
  const auto user = user_of(s);
  bool room_changed = false;
  if (joined ? presence_.add(room, user, room_changed) : presence_.remove(room, user, room_changed))
    presence_changed(room, user, name_of(s), joined, room_changed);
}

void chat_app::answer_join(const std::string& room, ack_fn ack) {
  if (!ack) return;
  const bool presence = options_.rooms.for_room(room).presence;
  history_.read(
      {room, std::nullopt, join_history}, this_worker(),
      [this, room, presence, ack = std::move(ack)](bool, std::vector<storage::message> newest_first) mutable {
        // A failed read still leaves the socket joined; it gets the live messages.
        json history = json::array();
        for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) history.push_back(storage::to_json(*it));
        const auto answer = [room, ack = std::move(ack)](json messages, std::vector<std::string> members) {
          ack(json::array(
              {json{{"ok", true}, {"room", room}, {"history", std::move(messages)}, {"members", std::move(members)}}}));
        };
        if (!presence) return answer(std::move(history), {});
        directory_.members(room, this_worker(),
                           [answer, history = std::move(history)](std::vector<std::string> members) mutable {
                             answer(std::move(history), std::move(members));
                           });
      });
}

void chat_app::on_leave(sio_socket& s, const json& args, const ack_fn& ack) {
  std::string room;
  if (auto bad = read_leave(args, room)) return refuse(s, ack, *bad);
  if (access::reserved_room(room))
    return refuse(s, ack, "forbidden", "that room name is reserved (user: rooms and socket ids)");
  if (!in_room(s, room)) return refuse(s, ack, "not_in_room", "you are not in that room");
  s.leave(room);
  if (ack) ack(json::array({json{{"ok", true}}}));
}

void chat_app::on_message(sio_socket& s, socket_state& st, const json& args, ack_fn ack) {
  message_request m;
  if (auto bad = read_message(args, m)) return refuse(s, ack, *bad);
  if (options_.rooms.for_room(m.room).send == access::send_rule::nobody)
    return refuse(s, ack, "forbidden", "this room is read-only: only the server publishes to it");
  if (access::reserved_room(m.room)) return refuse(s, ack, "forbidden", "nobody sends to a user's room or a socket");
  if (!in_room(s, m.room)) return refuse(s, ack, "not_in_room", "join the room before sending to it");
  if (auto bad = check_message_text(m.text, options_.max_text_code_points)) return refuse(s, ack, *bad);
  if (!st.bucket.take(options_.rate))
    return refuse(s, ack, "rate_limited", "too many messages; wait a moment and retry");
  if (message_hook()) return ask_message_hook(s, st, std::move(m.room), std::move(m.text), std::move(ack));
  store_message(s, std::move(m.room), std::move(m.text), std::move(ack));
}

void chat_app::store_message(sio_socket& s, std::string room, std::string text, ack_fn ack) {
  const auto user = user_of(s);
  auto name = name_of(s);
  if (name == user) name.clear();  // stored only where it differs
  storage::message msg{0, std::move(room), user, std::move(text), unix_ms(), std::move(name)};
  history_.append(
      std::move(msg), this_worker(),
      [this, weak = s.weak_from_this(), ack = std::move(ack)](std::optional<storage::message> stored,
                                                              const std::string&) {
        if (!stored) {
          // Never acknowledged, never delivered: the sender may retry.
          const auto r = refusal{"unavailable", "the message could not be stored; retry later"}.to_json();
          if (ack) return ack(json::array({r}));
          if (auto self = weak.lock()) self->emit("error", json::array({r}));
          return;
        }
        metrics::add(metrics::counter::chat_messages);
        if (auto* w = webhooks())
          w->add("message", stored->room, stored->user, storage::display_name(*stored), storage::to_json(*stored));
        // Acknowledged once the message is where every node reads it (in a cluster with
        // recovery: the namespace's stream), so a node that dies right after its ack
        // cannot keep it from the other nodes' members.
        nsp_.to(stored->room).emit("message", storage::to_json(*stored), [ack = std::move(ack), id = stored->id] {
          if (ack) ack(json::array({json{{"ok", true}, {"id", id}}}));
        });
      });
}

void chat_app::on_typing(sio_socket& s, socket_state& st, const json& args, const ack_fn& ack) {
  std::string room;
  if (auto bad = read_typing(args, room)) return refuse(s, ack, *bad);
  if (options_.rooms.for_room(room).send == access::send_rule::nobody)
    return refuse(s, ack, "forbidden", "this room is read-only: only the server publishes to it");
  if (access::reserved_room(room)) return refuse(s, ack, "forbidden", "nobody types in a user's room or a socket");
  if (!in_room(s, room)) return refuse(s, ack, "not_in_room", "join the room before typing in it");
  if (!st.bucket.take(options_.rate)) return refuse(s, ack, "rate_limited", "too many events; wait a moment and retry");
  s.to(room).volatile_().emit("typing", json{{"room", room}, {"user", user_of(s)}});
}

void chat_app::on_history(sio_socket& s, const json& args, ack_fn ack) {
  history_request q;
  if (auto bad = read_history(args, q)) return refuse(s, ack, *bad);
  if (options_.rooms.for_room(q.room).history == access::history_rule::members && !in_room(s, q.room))
    return refuse(s, ack, "forbidden", "join the room to read its history");
  if (!ack) return;  // nobody to answer
  history_.read(
      storage::history_query::page(q.room, q.before, q.limit), this_worker(),
      [ack = std::move(ack)](bool ok, std::vector<storage::message> newest_first) {
        if (!ok) return ack(json::array({refusal{"unavailable", "history could not be read; retry later"}.to_json()}));
        json messages = json::array();
        for (const auto& m : newest_first) messages.push_back(storage::to_json(m));
        ack(json::array({json{{"ok", true}, {"messages", std::move(messages)}}}));
      });
}

void chat_app::on_relayed(sio_socket& s, socket_state& st, const std::string& event, const relay_fn& relay,
                          const json& args, ack_fn ack) {
  std::string room;
  if (auto bad = read_relayed(event, args, room)) return refuse(s, ack, *bad);
  if (options_.rooms.for_room(room).send == access::send_rule::nobody)
    return refuse(s, ack, "forbidden", "this room is read-only: only the server publishes to it");
  if (access::reserved_room(room)) return refuse(s, ack, "forbidden", "nobody relays from a user's room or a socket");
  if (!in_room(s, room)) return refuse(s, ack, "not_in_room", "join the room before using " + event);
  if (!st.bucket.take(options_.rate)) return refuse(s, ack, "rate_limited", "too many events; wait a moment and retry");
  auto id = random_id();
  const json job{{"id", id},     {"event", event},  {"user", user_of(s)},
                 {"room", room}, {"data", args[0]}, {"ts", unix_ms()}};
  relay(job, [&worker = this_worker(), weak = s.weak_from_this(), id, ack = std::move(ack)](const std::string& error) {
    boost::asio::post(worker, [weak, id, error, ack] {
      // Not taken: the sender hears it, as for a message that could not be stored.
      const auto answer = error.empty()
                              ? json{{"ok", true}, {"id", id}}
                              : refusal{"unavailable", "no worker took the job (" + error + "); retry later"}.to_json();
      if (ack) return ack(json::array({answer}));
      if (auto self = weak.lock(); self && !error.empty()) self->emit("error", json::array({answer}));
    });
  });
}

void chat_app::presence_changed(const std::string& room, const std::string& user, const std::string& name, bool present,
                                bool room_changed_here) {
  // Webhook events are queued where the directory decides, in the order it decided, so that a
  // node's events of one room keep the order of its changes whichever worker made them.
  storage::presence_directory::changed_fn decided;
  if (auto* w = webhooks()) {
    decided = [w, room, user, name, present](storage::presence_directory::change change) {
      if (!change.announce) return;  // the user is still (or already) in the room through another node
      if (present && change.room_changed) w->add("room_occupied", room);
      w->add(present ? "member_added" : "member_removed", room, user, name);
      if (!present && change.room_changed) w->add("room_vacated", room);
    };
  }
  directory_.changed(
      room, user, present, room_changed_here, this_worker(), std::move(decided),
      [this, room, user, name, present](storage::presence_directory::change change) {
        if (!change.announce) return;
        if (!options_.rooms.for_room(room).presence) return;
        nsp_.to(room).emit(
            "presence", json{{"room", room}, {"user", user}, {"name", name}, {"action", present ? "join" : "leave"}});
      });
}

void chat_app::on_disconnect(sio_socket& s) {
  const auto user = user_of(s);
  for (const auto& room : s.joined_rooms()) {
    bool now_empty = false;
    if (!access::reserved_room(room) && presence_.remove(room, user, now_empty))
      presence_changed(room, user, name_of(s), false, now_empty);
  }
}

}  // namespace switchboard::chat
