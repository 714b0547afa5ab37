// Fuzzes server::parse_config (server/config.cpp): the TOML config file of `--config`, or a
// command line. Whatever it is given, it returns a configuration whose values are in range, or an
// exit code; it never throws. Its [[rooms]] rules are valid ones.
//
// Input: byte 0 even: the rest is a config file (written to a temporary file); odd: the rest is the
// command line, arguments separated by NUL bytes.
#include "server/config.h"
#include "fuzz_check.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

using fuzz::check;

namespace {

std::string config_path;

// Swallows what it is given.
struct null_buffer : std::streambuf {
  int overflow(int c) override { return traits_type::not_eof(c); }
};

void parse(std::vector<std::string> args) {
  args.insert(args.begin(), "switchboard");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int exit_code = -1;
  const auto c = switchboard::server::parse_config(static_cast<int>(args.size()), argv.data(), exit_code);
  if (!c) {
    check(exit_code == 0 || exit_code == 2);
    return;
  }
  check(c->threads >= 1 && c->threads <= 64);
  check(c->max_payload >= 1 && c->max_payload <= 100'000'000);
  check(c->max_text >= 1 && c->max_text <= 1'000'000);
  check(c->ping_interval.count() >= 1 && c->ping_timeout.count() >= 1);
  check(c->storage == "sqlite" || c->storage == "redis" || c->storage == "memory");
  check(c->redis_mode == "classic" || c->redis_mode == "sharded");
  check(!c->node_id.empty() && !c->data_dir.empty());
  // [[rooms]] rules that start a server: valid patterns, and a join hook for join = "hook".
  for (const auto& r : c->room_rules.rules()) {
    check(switchboard::access::valid_room_pattern(r.match));
    check(r.join != switchboard::access::join_rule::hook || !c->hook_urls.join.empty());
  }
  // Every hook signs its requests.
  const auto& h = c->hook_urls;
  check((h.connect.empty() && h.join.empty() && h.message.empty() && h.rpc.empty()) ||
        !c->hook_settings.secret.empty());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Usage and error messages are the parser's answers, not findings: keep the fuzzer's output clean.
  static null_buffer sink;
  std::cout.rdbuf(&sink);
  std::cerr.rdbuf(&sink);
  config_path = "/tmp/switchboard-fuzz-config-" + std::to_string(getpid()) + ".toml";
  std::atexit([] { std::remove(config_path.c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    std::vector<std::string> args;
    size_t start = 0;
    while (start <= rest.size()) {
      const size_t end = std::min(rest.find('\0', start), rest.size());
      args.emplace_back(rest.substr(start, end - start));
      start = end + 1;
    }
    parse(std::move(args));
  } else {
    std::ofstream(config_path, std::ios::binary | std::ios::trunc) << rest;
    parse({"--config", config_path});
  }
  return 0;
}
