#include "cluster/redis_connection.h"

#include "base/log.h"
#include "base/metrics.h"

#include <hiredis/hiredis.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

namespace switchboard::cluster {
namespace {

constexpr auto max_backoff = std::chrono::milliseconds(5000);

redis_value convert(const redisReply* r) {
  redis_value v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = redis_value::kind::string;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = redis_value::kind::status;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = redis_value::kind::error;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = redis_value::kind::integer;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = redis_value::kind::array;
      v.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

}  // namespace

redis_connection::redis_connection(boost::asio::io_context& ctx, redis_endpoint endpoint, mode m, std::string name)
    : ctx_(ctx),
      endpoint_(std::move(endpoint)),
      mode_(m),
      name_(std::move(name)),
      resolver_(ctx),
      socket_(ctx),
      retry_(ctx) {}

redis_connection::~redis_connection() {
  if (reader_) redisReaderFree(reader_);
}

void redis_connection::start() {
  if (state_ != state::idle) return;
  connect();
}

void redis_connection::stop() {
  state_ = state::stopped;
  retry_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& cb : pending) {
    if (cb) cb(redis_value::make_error("connection stopped"));
  }
}

void redis_connection::connect() {
  state_ = state::connecting;
  auto self = shared_from_this();
  resolver_.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                          [self](boost::system::error_code ec, boost::asio::ip::tcp::resolver::results_type results) {
                            if (self->state_ != state::connecting) return;
                            if (ec) return self->fail("cannot resolve " + self->endpoint_.host + ": " + ec.message());
                            boost::asio::async_connect(
                                self->socket_, results,
                                [self](boost::system::error_code ec2, const boost::asio::ip::tcp::endpoint&) {
                                  if (self->state_ != state::connecting) return;
                                  if (ec2) return self->fail("cannot connect: " + ec2.message());
                                  self->socket_.set_option(boost::asio::ip::tcp::no_delay(true));
                                  if (self->endpoint_.tls) return self->tls_handshake();
                                  self->handshake();
                                });
                          });
}

void redis_connection::tls_handshake() {
  namespace ssl = boost::asio::ssl;
  tls_context_ = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  if (endpoint_.ca_file.empty()) {
    tls_context_->set_default_verify_paths(ec);
  } else {
    tls_context_->load_verify_file(endpoint_.ca_file, ec);
  }
  if (ec) return fail("TLS: cannot load the certificate authorities: " + ec.message());
  tls_ = std::make_unique<ssl::stream<boost::asio::ip::tcp::socket&>>(socket_, *tls_context_);
  // The server's certificate must be signed by a trusted authority and name the host (or IP).
  tls_->set_verify_mode(ssl::verify_peer);
  tls_->set_verify_callback(ssl::host_name_verification(endpoint_.host));
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(endpoint_.host, not_ip);
  if (not_ip) {  // SNI names hosts, never IP addresses (RFC 6066); SSL_set_tlsext_host_name, without its C cast
    SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(endpoint_.host.c_str()));
  }
  tls_->async_handshake(ssl::stream_base::client, [self = shared_from_this()](boost::system::error_code hs) {
    if (self->state_ != state::connecting) return;
    if (hs) return self->fail("TLS handshake failed: " + hs.message());
    self->handshake();
  });
}

void redis_connection::handshake() {
  state_ = state::handshake;
  if (reader_) redisReaderFree(reader_);
  reader_ = redisReaderCreate();
  out_.clear();
  read();
  auto self = shared_from_this();
  // AUTH and SELECT are answered before anything else, so their callbacks come first.
  const auto check = [self](std::string what) {
    return [self, what](const redis_value& v) {
      if (v.is_error()) self->fail(what + " failed: " + v.str);
    };
  };
  if (!endpoint_.password.empty()) {
    if (endpoint_.user.empty()) {
      enqueue({"AUTH", endpoint_.password}, check("AUTH"));
    } else {
      enqueue({"AUTH", endpoint_.user, endpoint_.password}, check("AUTH"));
    }
  }
  const auto db = std::to_string(endpoint_.db);
  if (endpoint_.db != 0) enqueue({"SELECT", db}, check("SELECT"));
  enqueue({"PING"}, [self](const redis_value& v) {
    if (self->state_ != state::handshake) return;
    // LOADING (a restarted Redis reading its data) and the like: try again later, with backoff.
    if (v.is_error()) return self->fail("PING failed: " + v.str);
    self->state_ = state::ready;
    self->backoff_ = std::chrono::milliseconds(100);
    if (self->ever_ready_) metrics::add(metrics::counter::redis_reconnects);
    self->ever_ready_ = true;
    SB_LOG(info, "event=redis_ready link=" << self->name_ << " redis=" << self->endpoint_.describe());
    if (self->on_ready) self->on_ready();
  });
}

void redis_connection::command(const std::vector<std::string_view>& argv, reply_fn done) {
  if (state_ != state::ready) {
    if (done) done(redis_value::make_error("not connected to Redis"));
    return;
  }
  enqueue(argv, std::move(done));
}

void redis_connection::enqueue(const std::vector<std::string_view>& argv, reply_fn done) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  const int len = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), args.data(), lens.data());
  if (len < 0) {
    if (done) done(redis_value::make_error("out of memory formatting a command"));
    return;
  }
  out_.append(cmd, static_cast<size_t>(len));
  redisFreeCommand(cmd);
  // Subscriber commands (SUBSCRIBE…) get no callback slot: their confirmations are pushes.
  if (mode_ == mode::commands || state_ == state::handshake) pending_.push_back(std::move(done));
  schedule_flush();
}

void redis_connection::schedule_flush() {
  if (flush_posted_ || !writing_.empty()) return;
  flush_posted_ = true;
  boost::asio::post(ctx_, [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void redis_connection::flush() {
  if (!writing_.empty() || out_.empty() || (state_ != state::ready && state_ != state::handshake)) return;
  writing_.swap(out_);
  const auto on_written = [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->writing_.clear();
    if (self->state_ != state::ready && self->state_ != state::handshake) return;
    if (ec) return self->fail("write failed: " + ec.message());
    self->flush();
  };
  if (tls_) return boost::asio::async_write(*tls_, boost::asio::buffer(writing_), on_written);
  boost::asio::async_write(socket_, boost::asio::buffer(writing_), on_written);
}

void redis_connection::read() {
  const auto on_read = [self = shared_from_this()](boost::system::error_code ec, size_t n) {
    if (self->state_ == state::stopped || self->state_ == state::connecting || self->state_ == state::idle) return;
    if (ec)
      return self->fail(ec == boost::asio::error::eof ? "Redis closed the connection" : "read failed: " + ec.message());
    if (redisReaderFeed(self->reader_, self->in_.data(), n) != REDIS_OK) return self->fail("unreadable reply");
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(self->reader_, &raw) != REDIS_OK) return self->fail("malformed reply from Redis");
      if (raw == nullptr) break;
      auto v = convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      self->dispatch(std::move(v));
      if (self->state_ == state::stopped || self->state_ == state::connecting) return;
    }
    self->read();
  };
  if (tls_) return tls_->async_read_some(boost::asio::buffer(in_), on_read);
  socket_.async_read_some(boost::asio::buffer(in_), on_read);
}

void redis_connection::dispatch(redis_value&& v) {
  metrics::add(metrics::counter::redis_round_trips);
  if (!pending_.empty()) {
    auto cb = std::move(pending_.front());
    pending_.pop_front();
    if (cb) cb(v);
    return;
  }
  if (mode_ == mode::subscriber && on_push) on_push(v);
}

void redis_connection::fail(std::string_view why) {
  if (state_ == state::stopped) return;
  const bool was_ready = state_ == state::ready;
  SB_LOG(warn, "event=redis_lost link=" << name_ << " redis=" << endpoint_.describe() << " error=\"" << why
                                        << "\" retry_ms=" << backoff_.count());
  state_ = state::connecting;  // until the retry: stale completions see it and stop
  boost::system::error_code ignored;
  socket_.close(ignored);
  out_.clear();
  auto pending = std::move(pending_);
  pending_.clear();
  // The link hears of the loss first, so that a failed command's callback sees it disconnected.
  if (was_ready && on_lost) on_lost(why);
  for (auto& cb : pending) {
    if (cb) cb(redis_value::make_error(std::string(why)));
  }
  retry_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, max_backoff);
  retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ == state::stopped) return;
    self->tls_.reset();  // it refers to the socket: gone before the socket is replaced
    self->socket_ = boost::asio::ip::tcp::socket(self->ctx_);
    self->connect();
  });
}

}  // namespace switchboard::cluster
