#pragma once
// Bridge channels (docs/design.md#cluster): `--bridge CHANNEL=EVENT` subscribes the plain Redis channel
// CHANNEL; every payload published there is emitted as EVENT to every client of the default
// namespace, so anything that can run `PUBLISH` reaches users. Every node subscribes the channel
// itself, so each delivers to its own clients only (a local broadcast, never re-published).
#include "cluster/redis_link.h"
#include "cluster/rules.h"
#include "socketio/namespace.h"

#include <string>
#include <string_view>

namespace switchboard::cluster {

// Before the link starts. Payloads over `max_bytes` are dropped with a warning (clients would
// refuse them anyway: they are over the payload limit).
void attach_bridge(redis_link& link, socketio::namespace_& nsp, bridge_rule rule, size_t max_bytes);

}  // namespace switchboard::cluster
