#pragma once
// A broadcast being described: `nsp.to("room").except("id").volatile_().emit("event", args)`.
// Emitting encodes the packet once and hands it to the namespace's adapter.
#include "base/json.h"
#include "fanout/adapter.h"

namespace switchboard::socketio {

class namespace_;

class broadcast_operator {
 public:
  broadcast_operator(namespace_& nsp, fanout::broadcast_options opts = {}) : nsp_(&nsp), opts_(std::move(opts)) {}

  broadcast_operator to(std::string room) const;
  broadcast_operator except(std::string room) const;
  broadcast_operator volatile_() const;
  broadcast_operator local() const;

  // `args` is the array of arguments after the event name (a non-array is one argument).
  void emit(std::string_view event, json args = json::array()) const;

  const fanout::broadcast_options& options() const { return opts_; }

 private:
  namespace_* nsp_;
  fanout::broadcast_options opts_;
};

}  // namespace switchboard::socketio
