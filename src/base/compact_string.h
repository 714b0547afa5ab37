#pragma once
// A string that lives as long as its owner and is rarely changed, in 24 bytes: up to 23 bytes
// inline, longer on the heap. A socket's id and recovery id are 20 characters, past std::string's
// 15-byte small-string buffer, so each would cost a 32-byte string and a 32-byte heap block on
// every idle connection (docs/design.md#performance-model, small idle connections); ids of another length (a recovered
// session's, from another server) still fit, on the heap.
#include <cstddef>
#include <string>
#include <string_view>

namespace switchboard {

class compact_string {
 public:
  static constexpr size_t inline_capacity = 23;

  compact_string() { bytes_[inline_capacity] = 0; }
  explicit compact_string(std::string_view s) { assign(s); }
  compact_string(const compact_string& other) : compact_string(other.view()) {}
  compact_string& operator=(const compact_string& other);
  compact_string& operator=(std::string_view s);
  ~compact_string() { release(); }

  std::string_view view() const;
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }
  friend bool operator==(const compact_string& a, std::string_view b) { return a.view() == b; }

 private:
  // bytes_[inline_capacity] is the inline size, or heap_tag when the characters are on the heap
  // (then the first bytes hold their pointer and size).
  static constexpr unsigned char heap_tag = 0xff;
  bool on_heap() const { return static_cast<unsigned char>(bytes_[inline_capacity]) == heap_tag; }
  void assign(std::string_view s);
  void release();

  alignas(char*) char bytes_[inline_capacity + 1];
};

}  // namespace switchboard
