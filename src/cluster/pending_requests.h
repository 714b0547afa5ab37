#pragma once
// Our requests to the other servers of a cluster (fetchSockets, serverSideEmit with ack) waiting
// for one answer from each: a request completes when every expected server answered, or with
// what came when its timeout passes. On one thread (worker 0, where Redis replies arrive).
#include "base/json.h"
#include "fanout/adapter.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

namespace switchboard::cluster {

class pending_requests {
 public:
  explicit pending_requests(boost::asio::io_context& ctx) : ctx_(ctx) {}

  // Waits for `expected` answers to `id`; `done(results, complete)`.
  void add(const std::string& id, size_t expected, std::chrono::milliseconds timeout, fanout::adapter::results_fn done);
  // One server's answer: its `items` (an array, appended one by one) or one `item`. False when
  // `id` is not waiting (another server's request, or too late).
  bool answer_items(const std::string& id, const json& items);
  bool answer_item(const std::string& id, json item);

 private:
  struct request;
  bool answered(const std::string& id, std::shared_ptr<request> r);  // by value: the entry is erased

  boost::asio::io_context& ctx_;
  std::unordered_map<std::string, std::shared_ptr<request>> requests_;
};

// Our broadcasts with acknowledgements waiting for other servers' client counts and answers, kept
// for their timeout (nobody can know when the last client answered). Worker 0's state.
class pending_broadcast_acks {
 public:
  explicit pending_broadcast_acks(boost::asio::io_context& ctx) : ctx_(ctx) {}

  // On worker 0.
  void keep(const std::string& id, fanout::ack_handlers_ptr handlers, std::chrono::milliseconds timeout);
  const fanout::ack_handlers* find(const std::string& id) const;

 private:
  boost::asio::io_context& ctx_;
  std::unordered_map<std::string, fanout::ack_handlers_ptr> acks_;
};

}  // namespace switchboard::cluster
