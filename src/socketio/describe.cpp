#include "socketio/describe.h"

#include "socketio/socket.h"

#include <ctime>

namespace switchboard::socketio {
namespace {

// Node's `new Date().toString()`, as socket.handshake.time.
std::string date_string(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tm);
  return buf;
}

}  // namespace

json describe(socket& s) {
  const auto& hs = s.handshake_data();
  json headers = json::object(), query = json::object();
  std::string url, address;
  int64_t issued = 0;
  bool secure = false, xdomain = false;
  if (hs.info) {
    for (const auto& [name, value] : hs.info->headers()) {
      headers[std::string(name)] = value;
      xdomain = xdomain || name == "origin";
    }
    for (auto& [key, value] : hs.info->query()) query[std::move(key)] = std::move(value);
    url = hs.info->url();
    address = hs.info->address();
    issued = hs.info->issued_ms();
    secure = hs.info->secure();
  }
  json rooms = json::array();
  for (const auto& r : s.rooms()) rooms.push_back(r);
  json out{{"id", s.id()},
           {"handshake",
            {{"headers", std::move(headers)},
             {"time", date_string(issued)},
             {"address", address},
             {"xdomain", xdomain},
             {"secure", secure},
             {"issued", issued},
             {"url", url},
             {"query", std::move(query)},
             {"auth", hs.auth()}}},
           {"rooms", std::move(rooms)},
           {"data", s.data()}};
  if (const auto& node = s.node_name(); !node.empty()) out["node"] = node;
  if (const auto t = s.transport(); !t.empty()) out["transport"] = std::string(t);
  return out;
}

bool parse_remote_socket(const json& j, remote_socket& out) {
  if (!j.is_object()) return false;
  const auto id = j.find("id");
  if (id == j.end() || !id->is_string()) return false;
  out.id = id->get<std::string>();
  out.handshake = j.value("handshake", json::object());
  out.data = j.value("data", json());
  const auto text = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.node = text("node");
  out.transport = text("transport");
  out.rooms.clear();
  if (const auto rooms = j.find("rooms"); rooms != j.end() && rooms->is_array()) {
    for (const auto& r : *rooms) {
      if (r.is_string()) out.rooms.push_back(r.get<std::string>());
    }
  }
  return true;
}

}  // namespace switchboard::socketio
