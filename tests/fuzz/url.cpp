// Fuzzes the URL parsers: http::parse_target and http::percent_decode (http/url.h), which read
// every request target, and cluster::parse_redis_url (cluster/redis_url.h), which reads `--redis`.
//
// Input: byte 0 % 3 picks the parser (0: request target, 1: percent-decoding, 2: Redis URL).
#include "http/url.h"
#include "cluster/redis_url.h"
#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      switchboard::http::target t;
      if (switchboard::http::parse_target(input, t)) check(t.path.size() <= input.size());
      break;
    }
    case 1: {
      // A decoded byte takes one to three input bytes.
      for (const bool plus_is_space : {false, true}) {
        std::string out;
        if (switchboard::http::percent_decode(input, out, plus_is_space)) check(out.size() <= input.size());
      }
      break;
    }
    default: {
      switchboard::cluster::redis_endpoint e;
      std::string error;
      if (switchboard::cluster::parse_redis_url(input, e, error)) {
        check(!e.host.empty() && e.port != 0);
      } else {
        check(!error.empty());
      }
      break;
    }
  }
  return 0;
}
