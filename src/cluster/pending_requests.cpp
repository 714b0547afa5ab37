#include "cluster/pending_requests.h"

#include <boost/asio/steady_timer.hpp>

namespace switchboard::cluster {

struct pending_requests::request {
  explicit request(boost::asio::io_context& ctx) : timer(ctx) {}
  size_t expected = 0;
  size_t received = 0;
  json results = json::array();
  fanout::adapter::results_fn done;
  boost::asio::steady_timer timer;
};

void pending_requests::add(const std::string& id, size_t expected, std::chrono::milliseconds timeout,
                           fanout::adapter::results_fn done) {
  auto r = std::make_shared<request>(ctx_);
  r->expected = expected;
  r->done = std::move(done);
  requests_[id] = r;
  r->timer.expires_after(timeout);
  r->timer.async_wait([this, id](boost::system::error_code ec) {
    if (ec) return;
    const auto it = requests_.find(id);
    if (it == requests_.end()) return;
    auto expired = it->second;
    requests_.erase(it);
    expired->done(std::move(expired->results), false);
  });
}

bool pending_requests::answer_items(const std::string& id, const json& items) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return false;
  if (items.is_array()) {
    for (const auto& i : items) it->second->results.push_back(i);
  }
  return answered(id, it->second);  // a copy: answered() erases the entry
}

bool pending_requests::answer_item(const std::string& id, json item) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return false;
  it->second->results.push_back(std::move(item));
  return answered(id, it->second);
}

bool pending_requests::answered(const std::string& id, std::shared_ptr<request> r) {
  if (++r->received < r->expected) return true;
  requests_.erase(id);
  r->timer.cancel();
  r->done(std::move(r->results), true);
  return true;
}

void pending_broadcast_acks::keep(const std::string& id, fanout::ack_handlers_ptr handlers,
                                  std::chrono::milliseconds timeout) {
  acks_[id] = std::move(handlers);
  auto timer = std::make_shared<boost::asio::steady_timer>(ctx_, timeout);
  timer->async_wait([this, id, timer](boost::system::error_code) { acks_.erase(id); });
}

const fanout::ack_handlers* pending_broadcast_acks::find(const std::string& id) const {
  const auto it = acks_.find(id);
  return it == acks_.end() ? nullptr : it->second.get();
}

}  // namespace switchboard::cluster
