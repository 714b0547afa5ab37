// Parse time per megabyte of the inputs a client or a Redis peer can send within --max-payload:
// an object of many keys (the case that was quadratic), deep arrays, and an ordinary chat event.
// Run: build/release/bench/parse/parse_bench (docs/BENCHMARKS.md, "Parsing").
#include "base/json_parse.h"
#include "protocol/socketio/packet.h"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using switchboard::json;

std::string wide_object(size_t keys) {
  std::string s = "{";
  for (size_t i = 0; i < keys; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  return s + "}";
}

std::string deep_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string chat_events(size_t count) {
  std::string s = "[";
  for (size_t i = 0; i < count; ++i)
    s += std::string(i ? "," : "") + R"({"room":"lobby","text":"hello there, how is everyone today?","id":)" +
         std::to_string(i) + "}";
  return s + "]";
}

void report(benchmark::State& state, const std::string& input) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["input_kb"] = static_cast<double>(input.size()) / 1024;
}

void json_text(benchmark::State& state, const std::string& input) {
  for (auto _ : state) benchmark::DoNotOptimize(switchboard::parse_json_within(input, 1000));
  report(state, input);
}

void msgpack(benchmark::State& state, const std::string& text) {
  const auto bytes = json::to_msgpack(switchboard::parse_json_within(text, 1000));
  const std::string input(bytes.begin(), bytes.end());
  for (auto _ : state) benchmark::DoNotOptimize(switchboard::parse_msgpack_within(input, 1000));
  report(state, input);
}

// A CONNECT whose auth is one wide object, as a client sends it (decoded as the server does).
void socketio_connect(benchmark::State& state, const std::string& auth) {
  const std::string packet = "0" + auth;
  for (auto _ : state) {
    switchboard::protocol::socketio::packet p;
    switchboard::protocol::socketio::decode_error err;
    benchmark::DoNotOptimize(switchboard::protocol::socketio::decode_text(packet, p, err));
  }
  report(state, packet);
}

void BM_JsonWideObject(benchmark::State& s) { json_text(s, wide_object(static_cast<size_t>(s.range(0)))); }
void BM_JsonDeepArrays(benchmark::State& s) { json_text(s, deep_arrays(static_cast<size_t>(s.range(0)))); }
void BM_JsonChatEvents(benchmark::State& s) { json_text(s, chat_events(static_cast<size_t>(s.range(0)))); }
void BM_MsgpackWideObject(benchmark::State& s) { msgpack(s, wide_object(static_cast<size_t>(s.range(0)))); }
void BM_SocketioConnectWideAuth(benchmark::State& s) {
  socketio_connect(s, wide_object(static_cast<size_t>(s.range(0))));
}

BENCHMARK(BM_JsonWideObject)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonDeepArrays)->Arg(1'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonChatEvents)->Arg(10'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MsgpackWideObject)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SocketioConnectWideAuth)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
