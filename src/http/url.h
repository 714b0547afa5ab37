#pragma once
// Splits a request target into path and decoded query parameters (application/x-www-form-urlencoded).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::http {

struct target {
  std::string path;  // percent-decoded
  std::unordered_map<std::string, std::string> query;

  // nullptr when absent.
  const std::string* param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? nullptr : &it->second;
  }
};

// Where http::fetch (http/fetch.h) goes.
struct fetch_url {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target;  // path and query, "/" at least
};

// http://HOST[:PORT][/PATH] or https://…; nullopt for anything else (userinfo and fragments too).
std::optional<fetch_url> parse_fetch_url(std::string_view url);

// false when the target has an invalid percent escape.
bool parse_target(std::string_view raw, target& out);
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace switchboard::http
