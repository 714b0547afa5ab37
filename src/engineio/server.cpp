#include "engineio/server.h"

#include "base/log.h"
#include "base/random_id.h"
#include "http/cors.h"
#include "http/url.h"
#include "websocket/handshake.h"

#include <boost/asio/write.hpp>

#include <unistd.h>
#include <chrono>
#include <limits>

namespace switchboard::engineio {

namespace beast_http = http::beast_http;

server::server(loop_group& loops, options opts) : loops_(loops), options_(std::move(opts)) {
  if (options_.path.empty() || options_.path.back() != '/') options_.path.push_back('/');
  for (size_t w = 0; w < loops_.size(); ++w)
    workers_.push_back(std::make_unique<worker_state>(loops_.context(w), options_));
}

bool server::matches(std::string_view path) const {
  return path.substr(0, options_.path.size()) == options_.path ||
         path == std::string_view(options_.path).substr(0, options_.path.size() - 1);
}

void write_and_close(http::tcp_socket socket, std::string response) {
  auto sock = std::make_shared<http::tcp_socket>(std::move(socket));
  auto body = std::make_shared<std::string>(std::move(response));
  boost::asio::async_write(*sock, boost::asio::buffer(*body), [sock, body](boost::system::error_code, size_t) {
    boost::system::error_code ignored;
    sock->shutdown(http::tcp_socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

void server::respond(http::exchange& ex, http::response res) const {
  http::apply_cors(options_.cors, ex.req(), res);
  ex.respond(std::move(res));
}

void server::fail(http::exchange& ex, error_code code, bool upgrade) const {
  if (upgrade) {
    std::string ignored;
    write_and_close(ex.take_socket(ignored), websocket::bad_request_response(error_message(code)));
    return;
  }
  respond(ex, error_response(ex.req(), code));
}

std::shared_ptr<const handshake_info> server::describe(const http::exchange& ex) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::make_shared<handshake_info>(ex.req(), ex.remote().address().to_string(),
                                          std::chrono::duration_cast<std::chrono::milliseconds>(now).count(),
                                          ex.secure());
}

void server::handle(http::exchange_ptr ex) {
  const auto& req = ex->req();
  http::target t;
  const bool upgrade = websocket::is_upgrade_request(req);
  if (!http::parse_target(req.target(), t)) return fail(*ex, error_code::bad_request, upgrade);
  if (options_.cors.enabled() && http::is_preflight(req))
    return ex->respond(http::preflight_response(options_.cors, req));

  const std::string* transport = t.param("transport");
  const bool polling = transport && *transport == "polling" && options_.allow_polling;
  const bool ws = transport && *transport == "websocket" && options_.allow_websocket;
  if (!polling && !ws) return fail(*ex, error_code::unknown_transport, upgrade);
  const auto origin = req[http::field::origin];
  for (char c : origin) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      return fail(*ex, error_code::bad_request, upgrade);
    }
  }
  if (upgrade && !options_.cors.allows_upgrade(origin, req[http::field::host])) {
    SB_LOG(debug, "event=upgrade_refused reason=origin origin=\"" << origin << "\"");
    return fail(*ex, error_code::forbidden, upgrade);  // as Node's allowRequest refusal: 400 "Forbidden"
  }

  if (const std::string* sid = t.param("sid")) {
    if (polling && upgrade) return fail(*ex, error_code::bad_request, upgrade);
    if (ws && !upgrade) return fail(*ex, error_code::bad_request, false);  // TRANSPORT_MISMATCH
    const auto owner = worker_of_id(*sid);
    if (!owner || *owner >= workers_.size()) return fail(*ex, error_code::unknown_sid, upgrade);
    if (*owner == ex->worker()) {
      if (upgrade) {
        std::string buffered;
        auto socket = ex->take_socket(buffered);
        const auto protocol = http::protocol_of(socket);
        return handle_upgrade_on_owner(*sid, protocol, socket.release(), std::move(buffered), std::move(ex->req()));
      }
      return handle_on_owner(std::move(ex), *sid);
    }
    if (upgrade) {
      // The socket moves to the owner's worker as a bare descriptor.
      std::string buffered;
      auto socket = ex->take_socket(buffered);
      const auto protocol = http::protocol_of(socket);
      const int fd = socket.release();
      loops_.post(*owner, [this, sid = *sid, protocol, fd, buffered = std::move(buffered),
                           req = std::move(ex->req())]() mutable {
        handle_upgrade_on_owner(std::move(sid), protocol, fd, std::move(buffered), std::move(req));
      });
      return;
    }
    loops_.post(*owner,
                [this, ex = std::move(ex), sid = *sid]() mutable { handle_on_owner(std::move(ex), std::move(sid)); });
    return;
  }

  if (req.method() != beast_http::verb::get) return fail(*ex, error_code::bad_handshake_method, upgrade);
  if (ws && !upgrade) return fail(*ex, error_code::bad_request, false);  // TRANSPORT_HANDSHAKE_ERROR
  if (polling && upgrade) return fail(*ex, error_code::bad_request, true);
  const std::string* eio = t.param("EIO");
  if (!eio || *eio != "4") return fail(*ex, error_code::unsupported_protocol_version, upgrade);
  handshake(std::move(ex), upgrade);
}

void server::register_session(const std::shared_ptr<session>& s) {
  workers_[s->worker()]->sessions.emplace(s->id(), s);
  session_count_.fetch_add(1, std::memory_order_relaxed);
  SB_LOG(debug, "event=session_open sid=" << s->id() << " transport="
                                          << (s->transport() == transport_kind::polling ? "polling" : "websocket")
                                          << " address=" << s->handshake()->address());
  if (on_connection_) on_connection_(*s);
}

void server::handshake(http::exchange_ptr ex, bool upgrade) {
  const size_t worker = ex->worker();
  auto info = describe(*ex);
  if (!upgrade) {
    auto s = std::make_shared<session>(*this, random_id_for_worker(worker), worker, transport_kind::polling,
                                       std::move(info));
    register_session(s);
    if (s->is_open()) s->start(std::move(ex));
    return;
  }
  const auto invalid = websocket::validate_handshake(ex->req());
  if (!invalid.empty()) {
    std::string ignored;
    return write_and_close(ex->take_socket(ignored), websocket::bad_request_response(invalid));
  }
  std::string response = websocket::switching_protocols_response(ex->req()[http::field::sec_websocket_key]);
  std::string buffered;
  auto conn =
      std::make_shared<websocket::connection>(ex->take_socket(buffered), options_.max_payload, options_.send_queue);
  auto s = std::make_shared<session>(*this, random_id_for_worker(worker), worker, transport_kind::websocket,
                                     std::move(info));
  s->start(std::move(conn), std::move(response), std::move(buffered));
  register_session(s);
}

void server::handle_on_owner(http::exchange_ptr ex, std::string sid) {
  auto& sessions = workers_[loops_.current()]->sessions;
  auto it = sessions.find(sid);
  if (it == sessions.end()) return fail(*ex, error_code::unknown_sid, false);
  auto s = it->second;
  if (s->transport() != transport_kind::polling) return fail(*ex, error_code::bad_request, false);
  const auto method = ex->req().method();
  if (method == beast_http::verb::get) return s->on_poll_get(std::move(ex));
  if (method == beast_http::verb::post) return s->on_poll_post(std::move(ex));
  respond(*ex, http::make_response(ex->req(), http::status::internal_server_error, "text/html", ""));
}

void server::handle_upgrade_on_owner(std::string sid, http::tcp protocol, int fd, std::string buffered,
                                     http::request req) {
  auto& ctx = loops_.context(loops_.current());
  auto& sessions = workers_[loops_.current()]->sessions;
  auto it = sessions.find(sid);
  const std::string_view invalid =
      it == sessions.end() ? error_message(error_code::unknown_sid) : websocket::validate_handshake(req);
  boost::system::error_code ec;
  if (!invalid.empty()) {
    http::tcp_socket socket(ctx);
    socket.assign(protocol, fd, ec);
    if (ec) return static_cast<void>(::close(fd));
    return write_and_close(std::move(socket), websocket::bad_request_response(invalid));
  }
  websocket::connection::socket_type socket(ctx);
  socket.assign(protocol, fd, ec);
  if (ec) return static_cast<void>(::close(fd));
  auto conn = std::make_shared<websocket::connection>(std::move(socket), options_.max_payload, options_.send_queue);
  it->second->on_upgrade(std::move(conn), websocket::switching_protocols_response(req[http::field::sec_websocket_key]),
                         std::move(buffered));
}

void server::forget(const session& s) {
  auto& sessions = workers_[s.worker()]->sessions;
  if (sessions.erase(s.id())) session_count_.fetch_sub(1, std::memory_order_relaxed);
}

void server::close_some(size_t n, std::string_view reason) {
  const size_t workers = workers_.size();
  for (size_t w = 0; w < workers; ++w) {
    const size_t quota = n / workers + (w < n % workers ? 1 : 0);
    if (quota > 0) close_on_worker(w, quota, reason);
  }
}

void server::close_all(std::string_view reason) {
  for (size_t w = 0; w < workers_.size(); ++w) close_on_worker(w, std::numeric_limits<size_t>::max(), reason);
}

void server::close_on_worker(size_t w, size_t quota, std::string_view reason) {
  loops_.post(w, [this, w, quota, reason = std::string(reason)] {
    // Collected first: a closing session leaves the map.
    std::vector<std::shared_ptr<session>> batch;
    for (auto& [id, s] : workers_[w]->sessions) {
      if (batch.size() == quota) break;
      if (s->is_open()) batch.push_back(s);
    }
    for (auto& s : batch) s->close(reason);
  });
}

}  // namespace switchboard::engineio
