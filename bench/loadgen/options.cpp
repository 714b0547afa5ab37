#include "bench/loadgen/options.h"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace switchboard::bench {
namespace {

bool resolve(const std::string& url, target& out, std::string& error) {
  static constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "--url must start with http://: " + url;
    return false;
  }
  auto rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    error = "--url needs a port: " + url;
    return false;
  }
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(boost::asio::ip::tcp::v4(), rest.substr(0, colon), rest.substr(colon + 1), ec);
  if (ec || results.empty()) {
    error = "cannot resolve " + url + ": " + ec.message();
    return false;
  }
  out.endpoint = results.begin()->endpoint();
  out.host_header = rest;
  return true;
}

}  // namespace

int parse_options(int argc, char** argv, options& o) {
  CLI::App app{"loadgen: Socket.IO v5 load generator (fanout, idle, connect, broadcast-all); prints one JSON line"};
  app.add_option("scenario", o.scenario, "fanout | idle | connect | broadcast-all")
      ->required()
      ->check(CLI::IsMember({"fanout", "idle", "connect", "broadcast-all"}));
  // Repeatable options take one value per occurrence, so a positional may follow them.
  app.add_option("--url", o.urls, "server node http://HOST:PORT; repeat to spread clients over nodes")
      ->required()
      ->allow_extra_args(false);
  app.add_option("--threads", o.threads, "worker threads, one io_context each")->check(CLI::Range(1, 64));
  app.add_option("--source-addresses", o.source_addresses, "spread over 127.0.0.1 … 127.0.0.N")
      ->check(CLI::Range(1, 254));
  app.add_option("--clients", o.clients, "connected clients")->check(CLI::Range(1, 10'000'000));
  app.add_option("--connect-window", o.connect_window, "handshakes in progress at once during set-up")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--room", o.room, "room the clients join");
  app.add_flag("!--no-join", o.join, "idle: stay out of any room");
  app.add_option("--publishers", o.publishers, "fanout: clients that publish")->check(CLI::Range(1, 100'000));
  app.add_option("--messages", o.messages, "fanout: messages in total")->check(CLI::Range(1, 100'000'000));
  app.add_option("--size", o.size, "fanout: bytes of text per message (at least the ~30-byte marker)")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--rate", o.rate, "fanout: messages/s over all publishers; 0 = full speed")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--window", o.window, "fanout at full speed: messages in flight (not yet acked and delivered to all)")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--drain-timeout", o.drain_timeout, "fanout: seconds without a delivery before giving up");
  app.add_option("--hold", o.hold, "idle: seconds to hold the connections");
  app.add_option("--duration", o.duration, "connect: seconds of handshakes");
  app.add_option("--concurrency", o.concurrency, "connect: handshakes in progress at once")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--rounds", o.rounds, "broadcast-all: broadcasts, one after the other")->check(CLI::Range(1, 1000));
  app.add_option("--server-pid", o.server_pids, "server process to measure (CPU, RSS); repeatable")
      ->allow_extra_args(false);
  app.add_option("--redis-pid", o.redis_pids, "Redis process whose CPU is reported apart; repeatable")
      ->allow_extra_args(false);
  std::string token;
  app.add_option("--token", token, "CONNECT with auth {token: TOKEN} instead of a name (servers that want JWTs)");
  app.add_option("--timeout", o.timeout, "seconds allowed for setting up (default 30 + 10 ms per client)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (const auto& url : o.urls) {
    target t;
    std::string error;
    if (!resolve(url, t, error)) {
      std::cerr << "loadgen: " << error << "\n";
      return 2;
    }
    if (!token.empty()) t.connect_auth = nlohmann::json{{"token", token}}.dump();
    o.targets.push_back(std::move(t));
  }
  if (o.timeout <= 0) o.timeout = 30 + 0.01 * static_cast<double>(o.clients);
  if (o.publishers > o.clients) o.publishers = o.clients;
  return -1;
}

}  // namespace switchboard::bench
