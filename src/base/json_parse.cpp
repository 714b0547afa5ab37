#include "base/json_parse.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard {
namespace {

using object_entries = json::object_t::Container;

// Objects below this size check a new key against the others as nlohmann does; a wider one is
// checked once, when it closes.
constexpr size_t small_object = 8;

// The entries of `object` ordered so that equal keys are adjacent, the first of each key first:
// sorted by hash, and a run of equal hashes by key. n log n whatever the keys are: keys chosen to
// collide (which a client can do for any fixed hash function) only make the runs long, and a run
// is sorted by its keys.
std::vector<uint32_t> grouped_by_key(const object_entries& entries) {
  std::vector<std::pair<size_t, uint32_t>> hashed(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) hashed[i] = {std::hash<std::string>{}(entries[i].first), i};
  std::sort(hashed.begin(), hashed.end());
  std::vector<uint32_t> order(entries.size());
  for (size_t i = 0; i < hashed.size(); ++i) order[i] = hashed[i].second;
  for (size_t run = 0; run < hashed.size();) {
    size_t end = run + 1;
    while (end < hashed.size() && hashed[end].first == hashed[run].first) ++end;
    if (end - run > 1) {
      std::sort(order.begin() + static_cast<ptrdiff_t>(run), order.begin() + static_cast<ptrdiff_t>(end),
                [&](uint32_t a, uint32_t b) {
                  const int c = entries[a].first.compare(entries[b].first);
                  return c != 0 ? c < 0 : a < b;
                });
    }
    run = end;
  }
  return order;
}

// Duplicate keys keep the first key's place and the last value, as JSON.parse and nlohmann's
// ordered_json do. Called once per wide object, when it closes.
void merge_duplicate_keys(json::object_t& object) {
  auto& entries = static_cast<object_entries&>(object);
  const auto order = grouped_by_key(entries);
  // keep[i]: where entry i's value goes (itself, or the first entry of the same key).
  std::vector<uint32_t> keep(entries.size());
  bool any = false;
  for (size_t k = 0; k < order.size(); ++k) {
    const bool same = k > 0 && entries[order[k]].first == entries[order[k - 1]].first;
    keep[order[k]] = same ? keep[order[k - 1]] : order[k];
    any = any || same;
  }
  if (!any) return;
  object_entries merged;
  merged.reserve(entries.size());
  std::vector<uint32_t> slot(entries.size());  // an entry's index in `merged`, for first entries
  for (uint32_t i = 0; i < entries.size(); ++i) {
    if (keep[i] == i) {
      slot[i] = static_cast<uint32_t>(merged.size());
      merged.emplace_back(entries[i].first, std::move(entries[i].second));
    } else {
      merged[slot[keep[i]]].second = std::move(entries[i].second);
    }
  }
  entries.swap(merged);
}

// A DOM builder for nlohmann's SAX parsers, linear in its input: nlohmann's own inserts each key
// of an ordered object by a linear search of the keys before it, so one object of 100,000 keys
// cost seconds. It also refuses an array or object nested deeper than `max_depth` as it opens,
// which stops the parser before it goes (or, for MessagePack, recurses) any deeper.
class linear_builder {
 public:
  linear_builder(json& root, size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(json::number_integer_t v) { return value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return value(v); }
  bool string(json::string_t& v) { return value(std::move(v)); }
  bool binary(json::binary_t& v) { return value(json::binary_t(std::move(v))); }
  bool key(json::string_t& k) {
    auto& object = *stack_.back()->get_ptr<json::object_t*>();
    if (object.size() < small_object) {
      for (auto& [name, v] : object) {
        if (name == k) {
          next_member_ = &v;
          return true;
        }
      }
    }
    auto& entries = static_cast<object_entries&>(object);
    next_member_ = &entries.emplace_back(std::move(k), nullptr).second;
    return true;
  }
  bool start_object(size_t) { return open(json::value_t::object); }
  bool end_object() {
    auto& object = *stack_.back()->get_ptr<json::object_t*>();
    if (object.size() > small_object) merge_duplicate_keys(object);
    stack_.pop_back();
    return true;
  }
  bool start_array(size_t) { return open(json::value_t::array); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  template <typename Exception>
  bool parse_error(size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  // Places a value where the parser is: the root, the next element of an array, or the value of
  // the key just read. Returns where it went.
  template <typename Value>
  json* place(Value&& v) {
    if (stack_.empty()) {
      root_ = json(std::forward<Value>(v));
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      auto& array = *parent.get_ptr<json::array_t*>();
      return &array.emplace_back(std::forward<Value>(v));
    }
    *next_member_ = json(std::forward<Value>(v));
    return next_member_;
  }
  template <typename Value>
  bool value(Value&& v) {
    place(std::forward<Value>(v));
    return true;
  }
  bool open(json::value_t type) {
    if (stack_.size() >= max_depth_) return false;
    stack_.push_back(place(json(type)));
    return true;
  }

  json& root_;
  size_t max_depth_;
  std::vector<json*> stack_;  // the open arrays and objects, innermost last
  json* next_member_ = nullptr;
};

json parse_within(std::string_view input, size_t max_depth, json::input_format_t format) {
  json result;
  linear_builder builder(result, max_depth);
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
