#pragma once
// What the upper layer may know of the request that opened an Engine.IO session (Socket.IO's
// `socket.handshake`), kept for the connection's whole life.
#include "http/types.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::engineio {

// Name/value pairs packed into one exactly sized block (each string after its length), iterated as
// `std::pair<std::string_view, std::string_view>`. Holds a handshake's headers and query, kept for
// the connection's whole life: one block of ~the bytes received instead of a vector of pairs of
// strings (64 bytes a pair, growth slack, and a block for every string over 15 bytes).
class string_pairs {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = string_pairs::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    const_iterator() = default;
    const_iterator(const char* p, const char* end) : p_(p), end_(end) { read(); }
    value_type operator*() const { return current_; }
    const_iterator& operator++() {
      read();
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      read();
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.at_ == b.at_; }

   private:
    void read();
    const char* at_ = nullptr;  // the pair `current_` was read from; nullptr at the end
    const char* p_ = nullptr;   // the next pair
    const char* end_ = nullptr;
    value_type current_;
  };

  // Appends a pair to `packed`, the form the constructor takes.
  static void append(std::string& packed, std::string_view name, std::string_view value);

  string_pairs() = default;
  explicit string_pairs(std::string_view packed);
  string_pairs(const string_pairs& other) : string_pairs(other.packed()) {}
  string_pairs(string_pairs&&) noexcept = default;
  string_pairs& operator=(const string_pairs& other) { return *this = string_pairs(other); }
  string_pairs& operator=(string_pairs&&) noexcept = default;

  const_iterator begin() const {
    const auto p = packed();
    return {p.data(), p.data() + p.size()};
  }
  const_iterator end() const { return {}; }
  bool empty() const { return !block_; }
  size_t size() const;

 private:
  std::string_view packed() const;
  std::unique_ptr<char[]> block_;  // the packed size (a uint32_t), then the packed pairs
};

// What the upper layer may know of the request that opened the session.
struct handshake_info {
  string_pairs headers;  // names lower-case
  string_pairs query;
  std::string url;
  std::string address;
  int64_t issued_ms = 0;  // wall clock
  bool secure = false;
};

// The headers (names lower-cased, in the order received), the query (none when the target does not
// parse) and the URL of `req`; the caller adds the address, the time and `secure`.
handshake_info describe_request(const http::request& req);

}  // namespace switchboard::engineio
