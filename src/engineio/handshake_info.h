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
#include <vector>

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

  // A run of the packed pairs, iterated the same way.
  class range {
   public:
    explicit range(std::string_view packed) : packed_(packed) {}
    const_iterator begin() const { return {packed_.data(), packed_.data() + packed_.size()}; }
    const_iterator end() const { return {}; }
    bool empty() const { return packed_.empty(); }
    size_t size() const { return static_cast<size_t>(std::distance(begin(), end())); }

   private:
    std::string_view packed_;
  };

  const_iterator begin() const { return all().begin(); }
  const_iterator end() const { return {}; }
  bool empty() const { return !block_; }
  size_t size() const { return all().size(); }
  // The packed bytes, as `append` wrote them; `range(packed().substr(at))` iterates from the pair
  // that starts at byte `at`.
  std::string_view packed() const;
  range all() const { return range(packed()); }

 private:
  std::unique_ptr<char[]> block_;  // the packed size (a uint32_t), then the packed pairs
};

// What the upper layer may know of the request that opened the session, in as little memory as an
// idle connection can afford (it is kept for the connection's whole life): the URL, the client's
// address and the headers share one packed block; the query is read from the URL when asked for.
class handshake_info {
 public:
  using pairs = std::vector<std::pair<std::string, std::string>>;

  // The headers of `req` (names lower-cased, in the order received) and its URL.
  handshake_info(const http::request& req, std::string_view address, int64_t issued_ms, bool secure);

  std::string_view url() const;
  std::string_view address() const;
  string_pairs::range headers() const { return string_pairs::range(packed_.packed().substr(headers_at_)); }
  // The URL's query, percent-decoded; none when the URL does not parse.
  pairs query() const;
  int64_t issued_ms() const { return issued_ms_; }  // wall clock
  bool secure() const { return secure_; }           // the request came over TLS

 private:
  string_pairs packed_;  // ("url", URL), ("address", address), then the headers
  uint32_t headers_at_ = 0;
  bool secure_ = false;
  int64_t issued_ms_ = 0;
};

}  // namespace switchboard::engineio
