#pragma once
// Rate limiting (`--rate-limit`, `--api-rate-limit`): a token bucket refilled continuously at
// `per_second` up to `burst`. Plain value type, no locking: each bucket belongs to one thread.
#include <algorithm>
#include <chrono>
#include <string_view>

namespace switchboard {

struct rate_limit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
  bool enabled() const { return per_second > 0; }
};

// Parses "PER_SECOND[:BURST]" ("20:40", "5", "0.5:2"; "0" turns limiting off). BURST defaults to
// PER_SECOND and is at least 1. False on anything else.
bool parse_rate_limit(std::string_view text, rate_limit& out);

// A bucket's tokens without its rate, for many buckets under one rate (one per socket, the rate
// in the options): 16 bytes instead of 32 on every connection. Every call passes the same rate.
class token_count {
 public:
  using clock = std::chrono::steady_clock;

  explicit token_count(const rate_limit& r, clock::time_point now = clock::now()) : tokens_(r.burst), last_(now) {}

  // Takes one token; false when none is left (the request is over the limit).
  bool take(const rate_limit& r, clock::time_point now = clock::now()) {
    if (!r.enabled()) return true;
    refill(r, now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // Seconds until a token is available again (0 when one is).
  double wait_seconds(const rate_limit& r, clock::time_point now = clock::now()) {
    if (!r.enabled()) return 0;
    refill(r, now);
    return tokens_ >= 1 ? 0 : (1 - tokens_) / r.per_second;
  }

 private:
  void refill(const rate_limit& r, clock::time_point now) {
    const std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(r.burst, tokens_ + std::max(0.0, elapsed.count()) * r.per_second);
  }

  double tokens_;
  clock::time_point last_;
};

// A bucket with its own rate.
class token_bucket {
 public:
  using clock = token_count::clock;

  explicit token_bucket(rate_limit r, clock::time_point now = clock::now()) : rate_(r), count_(r, now) {}

  bool take(clock::time_point now = clock::now()) { return count_.take(rate_, now); }
  double wait_seconds(clock::time_point now = clock::now()) { return count_.wait_seconds(rate_, now); }

 private:
  rate_limit rate_;
  token_count count_;
};

}  // namespace switchboard
