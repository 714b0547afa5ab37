#include "server/config_file.h"

#include <toml++/toml.h>

#include <sstream>

namespace switchboard::server {
namespace {

std::string where(const std::string& path, const toml::source_region& at) {
  return path + ":" + std::to_string(at.begin.line) + ": ";
}

// A scalar as the command line would spell it; nullopt for a table, array or date.
std::optional<std::string> scalar_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = n.as_floating_point()) {
    std::ostringstream out;
    out << f->get();
    return out.str();
  }
  return std::nullopt;
}

// One [[rooms]] table.
bool read_room_rule(const std::string& path, const toml::table& t, access::room_rule& rule, std::string& error) {
  const auto fail = [&](const toml::node& at, const std::string& message) {
    error = where(path, at.source()) + message;
    return false;
  };
  const auto text_of = [&](const char* key, const toml::node& n, std::string& out) {
    if (const auto* s = n.as_string()) {
      out = s->get();
      return true;
    }
    return fail(n, std::string("[[rooms]] ") + key + " must be a string");
  };
  bool has_match = false;
  for (const auto& [key, value] : t) {
    const std::string k(key.str());
    std::string text;
    if (k == "match") {
      if (!text_of("match", value, rule.match)) return false;
      if (!access::valid_room_pattern(rule.match))
        return fail(value, "[[rooms]] match must be a room name or a prefix ending in *, 1 to 64 bytes");
      has_match = true;
    } else if (k == "join") {
      if (!text_of("join", value, text)) return false;
      const auto j = access::parse_join_rule(text);
      if (!j) return fail(value, "[[rooms]] join must be anyone, token, hook or nobody");
      rule.join = *j;
    } else if (k == "history") {
      if (!text_of("history", value, text)) return false;
      const auto h = access::parse_history_rule(text);
      if (!h) return fail(value, "[[rooms]] history must be members or anyone");
      rule.history = *h;
    } else if (k == "send") {
      if (!text_of("send", value, text)) return false;
      const auto s = access::parse_send_rule(text);
      if (!s) return fail(value, "[[rooms]] send must be members or nobody");
      rule.send = *s;
    } else if (k == "presence") {
      const auto* b = value.as_boolean();
      if (!b) return fail(value, "[[rooms]] presence must be true or false");
      rule.presence = b->get();
    } else if (k == "max-members") {
      const auto* i = value.as_integer();
      if (!i || i->get() < 0) return fail(value, "[[rooms]] max-members must be a whole number, 0 for no limit");
      rule.max_members = static_cast<size_t>(i->get());
    } else {
      return fail(value, "unknown key \"" + k +
                             "\" in [[rooms]]; the keys are match, join, history, send, presence, max-members");
    }
  }
  if (!has_match) {
    error = where(path, t.source()) + "[[rooms]] needs match = \"ROOM\" or \"PREFIX*\"";
    return false;
  }
  return true;
}

bool read_rooms(const std::string& path, const toml::node& n, config_file& out, std::string& error) {
  const auto* list = n.as_array();
  if (!list || !list->is_array_of_tables()) {
    error = where(path, n.source()) + "rooms must be [[rooms]] tables";
    return false;
  }
  for (const auto& t : *list) {
    if (!read_room_rule(path, *t.as_table(), out.rooms.emplace_back(), error)) return false;
  }
  return true;
}

}  // namespace

std::optional<config_file> read_config_file(const std::string& path,
                                            const std::function<flag_kind(const std::string&)>& kind_of,
                                            std::string& error) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    error = path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description());
    return std::nullopt;
  }
  config_file out;
  for (const auto& [key, value] : root) {
    const std::string name(key.str());
    if (name == "rooms") {
      if (!read_rooms(path, value, out, error)) return std::nullopt;
      continue;
    }
    const auto kind = kind_of(name);
    if (!kind.known || name == "config") {
      error = where(path, key.source()) + "unknown key \"" + name + "\" (see switchboard --help for the flag names)";
      return std::nullopt;
    }
    if (const auto* list = value.as_array()) {
      if (!kind.repeatable) {
        error = where(path, key.source()) + name + " takes one value, not a list";
        return std::nullopt;
      }
      for (const auto& item : *list) {
        const auto text = scalar_text(item);
        if (!text) {
          error = where(path, item.source()) + name + ": each entry must be a string or a number";
          return std::nullopt;
        }
        out.flags.push_back({name, *text, path + ":" + std::to_string(item.source().begin.line)});
      }
      continue;
    }
    const auto text = scalar_text(value);
    if (!text) {
      error = where(path, key.source()) + name + " must be a string, a number or true/false";
      return std::nullopt;
    }
    out.flags.push_back({name, *text, path + ":" + std::to_string(value.source().begin.line)});
  }
  return out;
}

}  // namespace switchboard::server
