#pragma once
// JSON text exactly as JavaScript's JSON.stringify writes it, so that what a Socket.IO client of
// Switchboard reads is byte for byte what it would read from Node. nlohmann's dump() differs in
// its numbers: it writes 1.0 for a whole double, 1e+20 where JavaScript writes
// 100000000000000000000, and 1e-05 where JavaScript writes 0.00001.
//
// Strings are written as UTF-8, with `"`, `\` and the control characters escaped as JSON.stringify
// escapes them; an invalid UTF-8 sequence (only possible from outside JavaScript, such as a Redis
// message) becomes U+FFFD. NaN and the infinities become null.
#include "base/json.h"

#include <string>

namespace switchboard {

void append_json(std::string& out, const json& value);
std::string to_json(const json& value);

// One number as JavaScript's Number.prototype.toString writes it (NaN, Infinity as JavaScript).
void append_js_number(std::string& out, double value);

}  // namespace switchboard
