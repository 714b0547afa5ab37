#pragma once
// The JSON value type of the whole library. Ordered, so that objects keep the key order a client
// sent and re-encode byte for byte as Node's JSON.stringify would; binary values stand for
// Socket.IO binary attachments.
#include <nlohmann/json.hpp>

namespace switchboard {

using json = nlohmann::ordered_json;

}  // namespace switchboard
