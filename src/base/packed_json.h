#pragma once
// A JSON value kept for a long time and read rarely, packed as MessagePack in one heap block.
// Every connected socket keeps its `handshake.auth` and its `data` for its whole life, but only
// reads them at connect, for fetchSockets and on recovery: as a json tree, an object with one
// short string costs three heap blocks (about 140 bytes); packed, one of 32. MessagePack keeps
// what the JSON text would lose (binary values) and the key order.
#include "base/json.h"

#include <cstdint>
#include <memory>

namespace switchboard {

class packed_json {
 public:
  packed_json() = default;  // null
  explicit packed_json(const json& value);

  bool is_null() const { return bytes_ == nullptr; }
  // The value unpacked; null when none was kept.
  json value() const;

 private:
  std::unique_ptr<uint8_t[]> bytes_;  // a 32-bit size, then the MessagePack; null for null
};

}  // namespace switchboard
