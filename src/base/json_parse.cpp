#include "base/json_parse.h"

#include <string>

namespace switchboard {
namespace {

// nlohmann's DOM builder behind a depth check: refusing an array or object as it opens stops the
// parser before it goes (or, for MessagePack, recurses) any deeper.
class depth_limited_builder {
 public:
  depth_limited_builder(json& result, size_t max_depth) : dom_(result, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return dom_.number_float(v, s); }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool key(json::string_t& k) { return dom_.key(k); }
  bool start_object(size_t n) { return ++depth_ <= max_depth_ && dom_.start_object(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(size_t n) { return ++depth_ <= max_depth_ && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  template <typename Exception>
  bool parse_error(size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);
  }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  size_t max_depth_;
  size_t depth_ = 0;
};

json parse_within(std::string_view input, size_t max_depth, json::input_format_t format) {
  json result;
  depth_limited_builder builder(result, max_depth);
  if (!json::sax_parse(input, &builder, format)) return json(json::value_t::discarded);
  return result;
}

}  // namespace

json parse_json_within(std::string_view text, size_t max_depth) {
  return parse_within(text, max_depth, json::input_format_t::json);
}

json parse_msgpack_within(std::string_view bytes, size_t max_depth) {
  return parse_within(bytes, max_depth, json::input_format_t::msgpack);
}

}  // namespace switchboard
