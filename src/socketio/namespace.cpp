#include "socketio/namespace.h"

#include "base/log.h"
#include "socketio/encode.h"

#include <boost/asio/post.hpp>

namespace switchboard::socketio {
namespace_::namespace_(std::string name, std::unique_ptr<fanout::adapter> adapter, loop_group& loops)
    : name_(std::move(name)), loops_(&loops) {
  set_adapter(std::move(adapter));
}

void namespace_::set_adapter(std::unique_ptr<fanout::adapter> a) {
  adapter_ = std::move(a);
  adapter_->set_server_side_handler([this](json data, reply_fn reply) {
    if (!data.is_array() || data.empty() || !data[0].is_string()) return;
    const auto it = server_side_handlers_.find(data[0].get_ref<const std::string&>());
    if (it == server_side_handlers_.end()) return;  // as Node: no listener, no answer
    data.erase(data.begin());
    try {
      it->second(std::move(data), std::move(reply));
    } catch (const std::exception& e) {
      SB_LOG(error, "event=server_side_handler_failed nsp=" << name_ << " error=\"" << e.what() << "\"");
    }
  });
}

void namespace_::server_side_emit(std::string_view event, json args) {
  adapter_->remote_server_side_emit(event_data(event, std::move(args)), std::chrono::milliseconds(0), nullptr);
}

void namespace_::server_side_emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout,
                                           server_side_results_fn cb) {
  auto& caller = loops_->context(loop_group::current());
  adapter_->remote_server_side_emit(
      event_data(event, std::move(args)), timeout, [&caller, cb = std::move(cb)](json responses, bool complete) {
        boost::asio::post(caller, [cb, complete, r = std::move(responses)] { cb(!complete, std::move(r)); });
      });
}

void namespace_::server_count(std::function<void(size_t)> cb) {
  auto& caller = loops_->context(loop_group::current());
  adapter_->server_count([&caller, cb = std::move(cb)](size_t n) { boost::asio::post(caller, [cb, n] { cb(n); }); });
}

}  // namespace switchboard::socketio
