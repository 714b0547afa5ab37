#pragma once
// Splits a request target into path and decoded query parameters (application/x-www-form-urlencoded).
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

// false when the target has an invalid percent escape.
bool parse_target(std::string_view raw, target& out);
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace switchboard::http
