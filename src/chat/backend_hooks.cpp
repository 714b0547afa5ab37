// The chat's calls to the application's backend (docs/design.md#backend-hooks): who a client is
// (connect), who may join a `join = "hook"` room, what becomes of a message before it is stored,
// and the RPC events. Each call is made on the socket's worker and answered there; whatever goes
// wrong with the backend, the client hears `unavailable` and nothing was half done.
#include "base/log.h"
#include "chat/chat.h"
#include "chat/chat_socket.h"

#include <array>
#include <cassert>
#include <string_view>

namespace switchboard::chat {
namespace {

// The request headers a connect hook sees: what a backend authenticates with, and where the
// client came from. The other headers stay on the node.
constexpr std::array<std::string_view, 5> forwarded_headers{"cookie", "authorization", "origin", "user-agent",
                                                            "x-forwarded-for"};

refusal unavailable(std::string_view what) {
  return refusal{"unavailable", "the application could not " + std::string(what) + " just now; retry later"};
}

void log_unusable(const hooks::hook& h, const std::string& error) {
  SB_LOG(warn, "event=hook_unusable hook=" << h.name() << " error=\"" << error << "\"");
}

}  // namespace

json chat_app::hook_body(const sio_socket& s) const {
  const auto data = s.data();
  json body{{"user", data.value("user", std::string{})}, {"socket", std::string(s.id())}};
  const auto name = data.find("name");
  body["name"] = name != data.end() ? *name : body["user"];
  if (const auto app = data.find("data"); app != data.end()) body["data"] = *app;
  return body;
}

void chat_app::identify_by_hook(sio_socket& s, socketio::namespace_::next_fn next) {
  const auto& info = *s.handshake_data().info;
  json headers = json::object();
  for (const auto& [key, value] : info.headers()) {
    for (const auto wanted : forwarded_headers) {
      if (key == wanted && !headers.contains(std::string(key))) headers[std::string(key)] = std::string(value);
    }
  }
  // The client's own auth: the fields the official client adds to recover a session are the
  // node's business.
  json auth = s.handshake_data().auth();
  if (auth.is_object()) {
    auth.erase("pid");
    auth.erase("offset");
  }
  const json body{{"namespace", std::string(nsp_.name())},
                  {"auth", std::move(auth)},
                  {"headers", std::move(headers)},
                  {"address", std::string(info.address())},
                  {"node", options_.node_id}};
  auto& hook = *connect_hook();
  hook.call(body, [this, &hook, self = s.shared_from_this(), next = std::move(next)](hooks::answer a) {
    std::string error;
    auto verdict = hooks::read_connect_answer(a, error);
    if (!verdict) {
      if (a.result == hooks::outcome::ok) log_unusable(hook, error);
      const auto r = unavailable("say who you are");
      return next(socketio::connect_error{"unauthorized", json{{"error", r.code}, {"message", r.message}}});
    }
    if (verdict->refused) {
      if (options_.auth_failures) options_.auth_failures->take(std::string(self->handshake_data().info->address()));
      return next(socketio::connect_error{
          "unauthorized", json{{"error", verdict->refused->error}, {"message", verdict->refused->message}}});
    }
    admit_identity(*self, std::move(verdict->who), std::move(verdict->data), next);
  });
}

void chat_app::ask_join_hook(sio_socket& s, const std::string& room, ack_fn ack) {
  auto* hook = options_.backend ? options_.backend->join() : nullptr;
  assert(hook && "a join = \"hook\" rule comes with --join-hook (server/config.cpp)");
  json body = hook_body(s);
  body["room"] = room;
  hook->call(body, [this, hook, weak = s.weak_from_this(), room, ack = std::move(ack)](hooks::answer a) mutable {
    auto self = weak.lock();
    if (!self || !self->connected()) return;
    std::string error;
    const auto verdict = hooks::read_join_answer(a, error);
    if (!verdict) {
      if (a.result == hooks::outcome::ok || a.result == hooks::outcome::refused) log_unusable(*hook, error);
      return refuse(*self, ack, unavailable("say whether you may join"));
    }
    if (!verdict->allow) return refuse(*self, ack, "forbidden", verdict->message);
    if (in_room(*self, room)) return answer_join(room, std::move(ack));
    admit_join(*self, room, std::move(ack));
  });
}

void chat_app::ask_message_hook(sio_socket& s, socket_state& st, std::string room, std::string text, ack_fn ack) {
  if (!st.hook_queue) st.hook_queue = std::make_unique<std::deque<socket_state::queued_message>>();
  auto& queue = *st.hook_queue;
  if (queue.size() >= socket_state::max_queued_messages)
    return refuse(s, ack, "rate_limited", "too many messages wait for the application; wait a moment and retry");
  queue.push_back({std::move(room), std::move(text), std::move(ack)});
  if (queue.size() == 1) ask_next_message(s, st);
}

void chat_app::ask_next_message(sio_socket& s, socket_state& st) {
  const auto& m = st.hook_queue->front();
  auto& hook = *message_hook();
  json body = hook_body(s);
  body["room"] = m.room;
  body["text"] = m.text;
  hook.call(body, [this, weak = s.weak_from_this()](hooks::answer a) mutable {
    auto self = weak.lock();
    if (!self || !self->connected()) return;  // never stored: its sender is gone, and heard nothing
    auto& state = *self->context<socket_state>();
    auto asked = std::move(state.hook_queue->front());
    state.hook_queue->pop_front();
    answer_message_hook(*self, a, std::move(asked.room), std::move(asked.text), std::move(asked.ack));
    if (!state.hook_queue->empty()) ask_next_message(*self, state);
  });
}

void chat_app::answer_message_hook(sio_socket& s, const hooks::answer& a, std::string room, std::string text,
                                   ack_fn ack) {
  std::string error;
  auto verdict = hooks::read_message_answer(a, error);
  if (verdict && verdict->text) {
    if (auto bad = check_message_text(*verdict->text, options_.max_text_code_points)) {
      error = "the rewritten text breaks the text rules: " + bad->message;
      verdict.reset();
    }
  }
  if (!verdict) {
    if (a.result == hooks::outcome::ok || a.result == hooks::outcome::refused) log_unusable(*message_hook(), error);
    return refuse(s, ack, unavailable("check your message"));
  }
  if (verdict->refused) return refuse(s, ack, verdict->refused->error, verdict->refused->message);
  if (!in_room(s, room)) return refuse(s, ack, "not_in_room", "join the room before sending to it");
  store_message(s, std::move(room), verdict->text ? std::move(*verdict->text) : std::move(text), std::move(ack));
}

void chat_app::on_rpc(sio_socket& s, socket_state& st, const std::string& event, hooks::hook& hook, json args,
                      ack_fn ack) {
  if (!st.bucket.take(options_.rate)) return refuse(s, ack, "rate_limited", "too many events; wait a moment and retry");
  json body = hook_body(s);
  body["event"] = event;
  body["args"] = std::move(args);
  json rooms = json::array();
  for (const auto& r : s.joined_rooms()) {
    if (!access::reserved_room(r)) rooms.push_back(r);
  }
  body["rooms"] = std::move(rooms);
  body["node"] = options_.node_id;
  hook.call(body, [this, &hook, weak = s.weak_from_this(), ack = std::move(ack)](hooks::answer a) {
    auto self = weak.lock();
    if (!self || !self->connected()) return;
    std::string error;
    const auto verdict = hooks::read_rpc_answer(a, error);
    if (!verdict) {
      if (a.result == hooks::outcome::ok || a.result == hooks::outcome::refused) log_unusable(hook, error);
      return refuse(*self, ack, unavailable("answer"));
    }
    apply_rpc_actions(*self, verdict->actions);
    if (ack) ack(verdict->reply ? json::array({*verdict->reply}) : json::array());
    const bool disconnect = std::any_of(verdict->actions.begin(), verdict->actions.end(), [](const auto& act) {
      return std::holds_alternative<hooks::disconnect_action>(act);
    });
    if (disconnect) self->disconnect();
  });
}

void chat_app::apply_rpc_actions(sio_socket& s, const std::vector<hooks::rpc_action>& actions) {
  for (const auto& act : actions) {
    if (const auto* e = std::get_if<hooks::emit_action>(&act)) {
      const auto to = e->to_kind == "user" ? user_room(e->to) : e->to;
      nsp_.to(to).emit(e->event, e->data ? json::array({*e->data}) : json::array());
    } else if (const auto* j = std::get_if<hooks::join_action>(&act)) {
      // The backend's word: not bound by the room's join rule or its limits.
      s.join(j->room);
    } else if (const auto* l = std::get_if<hooks::leave_action>(&act)) {
      s.leave(l->room);
    }
  }
}

}  // namespace switchboard::chat
