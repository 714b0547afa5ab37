// The API's routes about sockets (docs/design.md#http-api): emit to a room, a user or a socket
// (with acknowledgements collected across the cluster), disconnect, join and leave, and the list
// of sockets. Built on the library's cluster requests (fetch_sockets, sockets_join,
// sockets_leave, disconnect_sockets, broadcasts with acknowledgements), so the servers of a mixed
// cluster with Node peers take part too.
#include "access/names.h"
#include "http/url.h"
#include "server/api.h"
#include "server/socket_request.h"

#include <memory>

namespace switchboard::server {
namespace {

using socketio::broadcast_operator;
using socketio::remote_socket;

// A socket as GET /api/sockets lists it: {id, user, name, node, transport, rooms, data}, with
// `rooms` the ones it joined (not its own id room nor its user's room) and `data` what the
// connect hook said of it.
json listed(const remote_socket& r) {
  const json& d = r.data.is_object() ? r.data : json::object();
  const std::string user = d.value("user", std::string{});
  json rooms = json::array();
  for (const auto& room : r.rooms) {
    if (room != r.id && !room.starts_with(access::user_room_prefix)) rooms.push_back(room);
  }
  return json{{"id", r.id},
              {"user", user},
              {"name", d.value("name", user)},
              {"node", r.node},
              {"transport", r.transport},
              {"rooms", std::move(rooms)},
              {"data", d.value("data", json())}};
}

std::string user_of(const remote_socket& r) {
  return r.data.is_object() ? r.data.value("user", std::string{}) : std::string{};
}

// Acknowledgements of one emit, one socket at a time, until every socket answered or timed out.
struct ack_collection {
  size_t waiting = 0;
  json acks = json::array();
  size_t timed_out = 0;
  bool complete = true;
  json result() {
    return json{{"ok", true}, {"acks", std::move(acks)}, {"timed_out", timed_out}, {"complete", complete}};
  }
};

}  // namespace

bool api::json_body(const http::exchange_ptr& ex) {
  if (is_json_content_type(ex->req()[http::field::content_type])) return true;
  fail(ex, http::status::unsupported_media_type, "unsupported_media_type", "send Content-Type: application/json");
  return false;
}

void api::emit(const http::exchange_ptr& ex) {
  if (!json_body(ex)) return;
  emit_request r;
  if (std::string error; !read_emit_request(ex->req().body(), r, error))
    return fail(ex, http::status::bad_request, "bad_request", error);
  auto op = io_.of("/").to(r.to.room());
  for (auto& e : r.except) op = op.except(std::move(e));
  if (!r.ack_timeout) {
    op.emit(r.event, std::move(r.args));
    return answer(ex, http::status::ok, json{{"ok", true}});
  }
  // Asked one socket at a time, so that each answer is known by its socket and user.
  // `complete`: every server said which of its sockets are addressed (those of a server that did
  // not answer within 5 s are not asked).
  op.fetch_sockets([this, ex, r = std::move(r)](bool complete, std::vector<remote_socket> sockets) {
    if (sockets.size() > max_acked_sockets) {
      return fail(ex, http::status::bad_request, "bad_request",
                  "ack_timeout_ms addresses at most " + std::to_string(max_acked_sockets) + " sockets; these are " +
                      std::to_string(sockets.size()));
    }
    auto collection = std::make_shared<ack_collection>();
    collection->waiting = sockets.size();
    collection->complete = complete;
    if (sockets.empty()) return answer(ex, http::status::ok, collection->result());
    for (const auto& s : sockets) {
      io_.of("/").to(s.id).emit_with_ack(
          r.event, r.args, *r.ack_timeout, [this, ex, collection, id = s.id, user = user_of(s)](bool, json responses) {
            if (responses.is_array() && !responses.empty()) {
              collection->acks.push_back(json{{"socket", id}, {"user", user}, {"reply", responses[0]}});
            } else {
              ++collection->timed_out;
            }
            if (--collection->waiting > 0) return;
            answer(ex, http::status::ok, collection->result());
          });
    }
  });
}

void api::disconnect(const http::exchange_ptr& ex) {
  if (!json_body(ex)) return;
  socket_selection who;
  if (std::string error; !read_disconnect_request(ex->req().body(), who, error))
    return fail(ex, http::status::bad_request, "bad_request", error);
  const auto op = io_.of("/").to(who.room());
  op.fetch_sockets([this, ex, op](bool, std::vector<remote_socket> sockets) {
    op.disconnect_sockets();
    answer(ex, http::status::ok, json{{"ok", true}, {"disconnected", sockets.size()}});
  });
}

void api::membership(const http::exchange_ptr& ex, bool join) {
  if (!json_body(ex)) return;
  membership_request m;
  if (std::string error; !read_membership_request(ex->req().body(), m, error))
    return fail(ex, http::status::bad_request, "bad_request", error);
  const auto op = io_.of("/").to(m.who.room());
  op.fetch_sockets([this, ex, op, join, room = m.room](bool, std::vector<remote_socket> sockets) {
    if (join) {
      op.sockets_join({room});
    } else {
      op.sockets_leave({room});
    }
    answer(ex, http::status::ok, json{{"ok", true}, {"sockets", sockets.size()}});
  });
}

void api::sockets(const http::exchange_ptr& ex) {
  http::target t;
  if (!http::parse_target(ex->req().target(), t))
    return fail(ex, http::status::bad_request, "bad_request", "invalid percent-encoding in the query");
  const auto* room = t.param("room");
  const auto* user = t.param("user");
  if ((room && room->empty()) || (user && user->empty()))
    return fail(ex, http::status::bad_request, "bad_request", "room and user must not be empty");
  auto& nsp = io_.of("/");
  const auto op = room   ? nsp.to(*room)
                  : user ? nsp.to(std::string(access::user_room_prefix) + *user)
                         : broadcast_operator(nsp);
  op.fetch_sockets([this, ex, user = user ? std::optional<std::string>(*user) : std::nullopt](
                       bool complete, std::vector<remote_socket> found) {
    json list = json::array();
    for (const auto& s : found) {
      if (!user || user_of(s) == *user) list.push_back(listed(s));
    }
    answer(ex, http::status::ok, json{{"sockets", std::move(list)}, {"complete", complete}});
  });
}

}  // namespace switchboard::server
