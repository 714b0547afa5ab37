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

}  // namespace switchboard::cluster
