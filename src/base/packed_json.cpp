#include "base/packed_json.h"

#include "base/json_parse.h"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace switchboard {

packed_json::packed_json(const json& value) {
  if (value.is_null()) return;
  const auto packed = json::to_msgpack(value);
  if (packed.size() > UINT32_MAX) throw std::length_error("packed_json: value over 4 GiB");
  const auto size = static_cast<uint32_t>(packed.size());
  bytes_ = std::make_unique_for_overwrite<uint8_t[]>(sizeof size + size);
  std::memcpy(bytes_.get(), &size, sizeof size);
  std::memcpy(bytes_.get() + sizeof size, packed.data(), size);
}

json packed_json::value() const {
  if (!bytes_) return nullptr;
  uint32_t size = 0;
  std::memcpy(&size, bytes_.get(), sizeof size);
  const uint8_t* begin = bytes_.get() + sizeof size;
  // Unbounded depth: the value was built in this process, and every step that built it recursed.
  return parse_msgpack_within({reinterpret_cast<const char*>(begin), size}, std::numeric_limits<size_t>::max());
}

}  // namespace switchboard
