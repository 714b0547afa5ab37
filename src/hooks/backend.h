#pragma once
// The node's hooks into its application's backend (docs/design.md#backend-hooks), made once at
// start from the configuration and shared by every worker: connect, join, message and one per
// RPC event. Owns the settings and the count of requests in flight they share.
#include "base/loop_group.h"
#include "hooks/hook.h"
#include "hooks/webhooks.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::hooks {

class backend {
 public:
  backend(loop_group& loops, settings s, const urls& u, std::string node_id);

  hook* connect() const { return connect_.get(); }
  hook* join() const { return join_.get(); }
  hook* message() const { return message_.get(); }
  const std::map<std::string, std::unique_ptr<hook>>& rpc() const { return rpc_; }
  hooks::webhooks* webhooks() const { return webhooks_.get(); }

  // The Prometheus text of every hook: requests by outcome and a latency histogram.
  std::string prometheus_text() const;

 private:
  std::unique_ptr<hook> make(std::string name, const std::string& url);

  loop_group& loops_;
  settings settings_;
  std::atomic<size_t> in_flight_{0};
  std::unique_ptr<hook> connect_, join_, message_;
  std::map<std::string, std::unique_ptr<hook>> rpc_;
  std::unique_ptr<hooks::webhooks> webhooks_;
};

}  // namespace switchboard::hooks
