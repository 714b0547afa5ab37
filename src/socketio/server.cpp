#include "socketio/server.h"

#include "fanout/memory_adapter.h"
#include "socketio/client.h"

namespace switchboard::socketio {

server::server(loop_group& loops, options opts)
    : loops_(loops), options_(std::move(opts)), engine_(loops, options_.engine) {
  adapter_factory_ = [this](const std::string&) {
    return std::make_unique<fanout::memory_adapter>(
        loops_, fanout::recovery_settings{options_.recovery_window, options_.recovery_max_packets});
  };
  engine_.on_connection([this](engineio::session& s) {
    auto c = std::make_shared<client>(*this, s);
    s.set_handler(c);
    c->start();
  });
}

namespace_& server::of(const std::string& name) {
  const std::string key = name.empty() || name[0] != '/' ? "/" + name : name;
  auto it = namespaces_.find(key);
  if (it == namespaces_.end()) {
    it = namespaces_.emplace(key, std::make_unique<namespace_>(key, adapter_factory_(key), loops_)).first;
  }
  return *it->second;
}

namespace_* server::find(const std::string& name) {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

void server::close() { engine_.close_all("server shutting down"); }

}  // namespace switchboard::socketio
