#include "http/exchange.h"

#include "http/connection.h"

#include <boost/asio/post.hpp>

namespace switchboard::http {

exchange::exchange(std::shared_ptr<connection> conn, request req, size_t worker, tcp::endpoint remote, bool secure)
    : conn_(std::move(conn)), req_(std::move(req)), worker_(worker), remote_(std::move(remote)), secure_(secure) {}

void exchange::respond(response res) {
  {
    std::lock_guard lock(mutex_);
    if (answered_ || aborted_) return;
    answered_ = true;
    abort_fn_ = nullptr;
  }
  auto conn = conn_;
  boost::asio::post(conn->get_executor(),
                    [conn, res = std::move(res)]() mutable { conn->write_response(std::move(res)); });
}

void exchange::on_abort(boost::asio::io_context& ctx, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  if (answered_) return;
  if (aborted_) {
    boost::asio::post(ctx, std::move(fn));
    return;
  }
  abort_ctx_ = &ctx;
  abort_fn_ = std::move(fn);
}

bool exchange::answered() const {
  std::lock_guard lock(mutex_);
  return answered_;
}

void exchange::abort() {
  std::lock_guard lock(mutex_);
  if (answered_ || aborted_) return;
  aborted_ = true;
  if (abort_fn_) boost::asio::post(*abort_ctx_, std::move(abort_fn_));
}

tcp_socket exchange::take_socket(std::string& buffered) {
  {
    std::lock_guard lock(mutex_);
    answered_ = true;
  }
  return conn_->release_socket(buffered);
}

}  // namespace switchboard::http
