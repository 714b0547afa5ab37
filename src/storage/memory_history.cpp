#include "storage/memory_history.h"

#include <boost/asio/post.hpp>

namespace switchboard::storage {

void memory_history::append(message m, boost::asio::io_context& reply_on, append_done done) {
  {
    std::lock_guard lock(mutex_);
    auto& r = rooms_[m.room];
    m.id = r.next_id++;
    r.messages.push_back(m);
    if (r.messages.size() > per_room_) r.messages.pop_front();
  }
  boost::asio::post(reply_on, [done = std::move(done), m = std::move(m)]() mutable { done(std::move(m), {}); });
}

void memory_history::read(history_query q, boost::asio::io_context& reply_on, read_done done) {
  std::vector<message> out;
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(q.room); it != rooms_.end()) {
      const auto& msgs = it->second.messages;
      for (auto m = msgs.rbegin(); m != msgs.rend() && out.size() < q.limit; ++m) {
        if (!q.before || m->id < *q.before) out.push_back(*m);
      }
    }
  }
  boost::asio::post(reply_on, [done = std::move(done), out = std::move(out)]() mutable { done(true, std::move(out)); });
}

}  // namespace switchboard::storage
