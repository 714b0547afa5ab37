#include "base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace switchboard {
namespace {

std::atomic<log_level> current_level{log_level::info};

constexpr std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
    case log_level::off:
      return "off";
  }
  return "?";
}

}  // namespace

void set_log_level(log_level level) { current_level.store(level, std::memory_order_relaxed); }

bool log_enabled(log_level level) {
  return level >= current_level.load(std::memory_order_relaxed) && level != log_level::off;
}

bool parse_log_level(std::string_view text, log_level& out) {
  for (auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error, log_level::off}) {
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void write_log_line(log_level level, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line;
  line.reserve(message.size() + 48);
  line.append("ts=").append(stamp).append(" level=").append(level_name(level)).append(" ").append(message).append("\n");
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write per line keeps threads' lines whole
}

}  // namespace switchboard
