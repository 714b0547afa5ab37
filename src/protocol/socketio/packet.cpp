#include "protocol/socketio/packet.h"

#include "base/json_parse.h"
#include "base/json_write.h"

#include <charconv>

namespace switchboard::protocol::socketio {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether the array/object nesting of JSON text stays within `limit` (exact for valid JSON).
bool nesting_within(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (in_string) {
      if (c == '\\') {
        ++k;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

json deconstruct(const json& value, std::vector<std::string>& buffers) {
  if (value.is_binary()) {
    const auto& bin = value.get_binary();
    buffers.emplace_back(bin.begin(), bin.end());
    json ph = json::object();
    ph["_placeholder"] = true;
    ph["num"] = buffers.size() - 1;
    return ph;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(deconstruct(v, buffers));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = deconstruct(it.value(), buffers);
    return out;
  }
  return value;
}

bool payload_valid(packet_type type, const std::optional<json>& data) {
  switch (type) {
    case packet_type::connect:
      return !data || data->is_object();
    case packet_type::disconnect:
      return !data;
    case packet_type::connect_error:
      return data && (data->is_string() || data->is_object());
    case packet_type::event:
    case packet_type::binary_event: {
      if (!data || !data->is_array() || data->empty()) return false;
      const auto& name = (*data)[0];
      if (name.is_number()) return true;
      return name.is_string() && !is_reserved_event(name.get_ref<const std::string&>());
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      return data && data->is_array();
  }
  return false;
}

}  // namespace

bool is_reserved_event(std::string_view name) {
  return name == "connect" || name == "connect_error" || name == "disconnect" || name == "disconnecting" ||
         name == "newListener" || name == "removeListener";
}

bool has_binary(const json& value) {
  if (value.is_binary()) return true;
  if (value.is_array() || value.is_object()) {
    for (const auto& v : value) {
      if (has_binary(v)) return true;
    }
  }
  return false;
}

encoded_packet encode(const packet& p) {
  encoded_packet out;
  packet_type type = p.type;
  const json* data = p.data ? &*p.data : nullptr;
  json stripped;
  if (data && (type == packet_type::event || type == packet_type::ack) && has_binary(*data)) {
    stripped = deconstruct(*data, out.attachments);
    data = &stripped;
    type = type == packet_type::event ? packet_type::binary_event : packet_type::binary_ack;
  } else if (data && (type == packet_type::binary_event || type == packet_type::binary_ack)) {
    stripped = deconstruct(*data, out.attachments);
    data = &stripped;
  }
  std::string& s = out.text;
  s.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (type == packet_type::binary_event || type == packet_type::binary_ack) {
    s.append(std::to_string(out.attachments.size())).push_back('-');
  }
  if (!p.nsp.empty() && p.nsp != "/") s.append(p.nsp).push_back(',');
  if (p.id) s.append(std::to_string(*p.id));
  if (data) append_json(s, *data);  // as JSON.stringify, numbers included
  return out;
}

bool decode_text(std::string_view str, packet& out, decode_error& err) {
  out = packet{};
  if (str.empty() || str[0] < '0' || str[0] > '6') {
    err = {"unknown packet type"};
    return false;
  }
  out.type = static_cast<packet_type>(str[0] - '0');
  size_t i = 1;
  if (out.type == packet_type::binary_event || out.type == packet_type::binary_ack) {
    const size_t dash = str.find('-', i);
    if (dash == std::string_view::npos || dash == i) {
      err = {"illegal attachments"};
      return false;
    }
    size_t n = 0;
    for (size_t k = i; k < dash; ++k) {
      if (!is_digit(str[k]) || n > max_attachments) {
        err = {"illegal attachments"};
        return false;
      }
      n = n * 10 + static_cast<size_t>(str[k] - '0');
    }
    if (n > max_attachments) {
      err = {"too many attachments"};
      return false;
    }
    out.attachments = n;
    i = dash + 1;
  }
  if (i < str.size() && str[i] == '/') {
    const size_t comma = str.find(',', i);
    const size_t end = comma == std::string_view::npos ? str.size() : comma;
    out.nsp.assign(str.substr(i, end - i));
    i = comma == std::string_view::npos ? str.size() : comma + 1;
  }
  if (i < str.size() && is_digit(str[i])) {
    size_t end = i;
    while (end < str.size() && is_digit(str[end])) ++end;
    uint64_t id = 0;
    const auto [ptr, ec] = std::from_chars(str.data() + i, str.data() + end, id);
    if (ec != std::errc{} || id > (uint64_t{1} << 53)) {  // beyond JS's exact integers
      err = {"invalid ack id"};
      return false;
    }
    out.id = id;
    i = end;
  }
  if (i < str.size()) {
    if (!nesting_within(str.substr(i), max_nesting_depth)) {
      err = {"payload nested too deeply"};
      return false;
    }
    json parsed = parse_json_within(str.substr(i), max_nesting_depth);
    if (parsed.is_discarded()) {
      err = {"invalid payload"};
      return false;
    }
    out.data = std::move(parsed);
  }
  if (!payload_valid(out.type, out.data)) {
    err = {"invalid payload"};
    return false;
  }
  return true;
}

namespace {

// `used` marks the attachments already placed: each may be referenced once, as socket.io-parser's
// encoder emits them; otherwise one attachment referenced by thousands of placeholders would be
// copied thousands of times.
bool place_attachments(json& data, std::vector<std::string>& attachments, std::vector<bool>& used) {
  if (data.is_object()) {
    auto ph = data.find("_placeholder");
    if (ph != data.end() && ph->is_boolean() && ph->get<bool>()) {
      auto num = data.find("num");
      if (num == data.end() || !num->is_number_integer()) return false;
      const auto n = num->get<int64_t>();
      if (n < 0 || static_cast<size_t>(n) >= attachments.size()) return false;
      if (used[static_cast<size_t>(n)]) return false;
      used[static_cast<size_t>(n)] = true;
      const auto& bytes = attachments[static_cast<size_t>(n)];
      data = json::binary(json::binary_t::container_type(bytes.begin(), bytes.end()));
      return true;
    }
  }
  if (data.is_array() || data.is_object()) {
    for (auto& v : data) {
      if (!place_attachments(v, attachments, used)) return false;
    }
  }
  return true;
}

}  // namespace

bool reconstruct(json& data, std::vector<std::string>& attachments) {
  std::vector<bool> used(attachments.size(), false);
  return place_attachments(data, attachments, used);
}

}  // namespace switchboard::protocol::socketio
