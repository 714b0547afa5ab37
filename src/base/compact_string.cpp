#include "base/compact_string.h"

#include <cstring>

namespace switchboard {

namespace {
struct heap_chars {
  char* data;
  size_t size;
};
static_assert(sizeof(heap_chars) <= compact_string::inline_capacity);
}  // namespace

compact_string& compact_string::operator=(const compact_string& other) {
  if (this != &other) *this = other.view();
  return *this;
}

compact_string& compact_string::operator=(std::string_view s) {
  const std::string copy(s);  // `s` may view this very string
  release();
  assign(copy);
  return *this;
}

std::string_view compact_string::view() const {
  if (!on_heap()) return {bytes_, static_cast<unsigned char>(bytes_[inline_capacity])};
  heap_chars h;
  std::memcpy(&h, bytes_, sizeof h);
  return {h.data, h.size};
}

void compact_string::assign(std::string_view s) {
  if (s.size() <= inline_capacity) {
    std::memcpy(bytes_, s.data(), s.size());
    bytes_[inline_capacity] = static_cast<char>(s.size());
    return;
  }
  heap_chars h{new char[s.size()], s.size()};
  std::memcpy(h.data, s.data(), s.size());
  std::memcpy(bytes_, &h, sizeof h);
  bytes_[inline_capacity] = static_cast<char>(heap_tag);
}

void compact_string::release() {
  if (!on_heap()) return;
  heap_chars h;
  std::memcpy(&h, bytes_, sizeof h);
  delete[] h.data;
  bytes_[inline_capacity] = 0;
}

}  // namespace switchboard
