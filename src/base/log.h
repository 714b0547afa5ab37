#pragma once
// Structured, leveled logging to standard error: one line per event, `key=value` fields.
// A line is formatted only when its level is enabled.
#include <sstream>
#include <string_view>

namespace switchboard {

enum class log_level { debug, info, warn, error, off };

void set_log_level(log_level level);
bool log_enabled(log_level level);
// Parses "debug", "info", "warn", "error", "off"; false on anything else.
bool parse_log_level(std::string_view text, log_level& out);
void write_log_line(log_level level, std::string_view message);

}  // namespace switchboard

#define SB_LOG(level, expr)                                                                 \
  do {                                                                                      \
    if (::switchboard::log_enabled(::switchboard::log_level::level)) {                      \
      std::ostringstream sb_log_stream_;                                                    \
      sb_log_stream_ << expr;                                                               \
      ::switchboard::write_log_line(::switchboard::log_level::level, sb_log_stream_.str()); \
    }                                                                                       \
  } while (0)
