#include "base/json_write.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

namespace switchboard {
namespace {

std::string js(double x) {
  std::string out;
  append_js_number(out, x);
  return out;
}

TEST(JsNumber, WritesWhatNumberToStringWrites) {
  // Expected values from node 20: String(x).
  EXPECT_EQ(js(1.0), "1");
  EXPECT_EQ(js(1.5), "1.5");
  EXPECT_EQ(js(-2.25), "-2.25");
  EXPECT_EQ(js(0.1), "0.1");
  EXPECT_EQ(js(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(js(1e20), "100000000000000000000");
  EXPECT_EQ(js(1e21), "1e+21");
  EXPECT_EQ(js(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(js(9.999999999999999e20), "999999999999999900000");
  EXPECT_EQ(js(1.2e21), "1.2e+21");
  EXPECT_EQ(js(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(js(5e-324), "5e-324");
  EXPECT_EQ(js(1e-6), "0.000001");
  EXPECT_EQ(js(0.5e-5), "0.000005");
  EXPECT_EQ(js(0.000001234), "0.000001234");
  EXPECT_EQ(js(1e-7), "1e-7");
  EXPECT_EQ(js(-1e-7), "-1e-7");
  EXPECT_EQ(js(1.234e-7), "1.234e-7");
  EXPECT_EQ(js(1e15), "1000000000000000");
  EXPECT_EQ(js(1e16), "10000000000000000");
  EXPECT_EQ(js(123e18), "123000000000000000000");
  EXPECT_EQ(js(9007199254740994.0), "9007199254740994");
  EXPECT_EQ(js(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(js(4.35), "4.35");
  EXPECT_EQ(js(-0.0), "0");
  EXPECT_EQ(js(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(js(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(JsNumber, ReadsBackAsTheSameDouble) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t bits = random();
    double x;
    std::memcpy(&x, &bits, sizeof x);
    if (!std::isfinite(x)) continue;
    const std::string text = js(x);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), x == 0 ? 0.0 : x) << text;
  }
}

TEST(JsonWrite, WritesAsJsonStringify) {
  // node: JSON.stringify({a:[1,1.5,null,true,false,"x"],"k\"":{},e:[],big:1e21,tiny:1e-7,i:-42})
  const json v = json::parse(R"({"a":[1.0,1.5,null,true,false,"x"],"k\"":{},"e":[],"big":1e21,"tiny":1e-7,"i":-42})");
  EXPECT_EQ(to_json(v), R"({"a":[1,1.5,null,true,false,"x"],"k\"":{},"e":[],"big":1e+21,"tiny":1e-7,"i":-42})");
  EXPECT_EQ(to_json(json(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_EQ(to_json(json(std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonWrite, KeepsKeyOrder) {
  json v = json::object();
  v["z"] = 1;
  v["a"] = 2;
  EXPECT_EQ(to_json(v), R"({"z":1,"a":2})");
}

TEST(JsonWrite, EscapesStringsAsJsonStringify) {
  // node: JSON.stringify("a\"b\\c\b\f\n\r\t\u0001\u001f\u007f é 😀 \u2028")
  const std::string s = "a\"b\\c\b\f\n\r\t\x01\x1f\x7f \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8";
  EXPECT_EQ(to_json(json(s)),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8\"");
}

TEST(JsonWrite, InvalidUtf8BecomesReplacementCharacters) {
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(to_json(json(std::string("a\xff"
                                     "b"))),
            "\"a" + replacement + "b\"");
  EXPECT_EQ(to_json(json(std::string("\xc0\xaf"))), "\"" + replacement + replacement + "\"");  // overlong
  EXPECT_EQ(to_json(json(std::string("\xed\xa0\x80"))),
            "\"" + replacement + replacement + replacement + "\"");  // surrogate
  EXPECT_EQ(to_json(json(std::string("\xf4\x90\x80\x80"))),
            "\"" + replacement + replacement + replacement + replacement + "\"");                // past U+10FFFF
  EXPECT_EQ(to_json(json(std::string("x\xe2\x82"))), "\"x" + replacement + replacement + "\"");  // cut short
}

}  // namespace
}  // namespace switchboard
