#pragma once
// --jwks URL: the identity provider's key set, fetched at start (blocking: the node does not start
// without the keys it is told to trust), then every 10 minutes and when a token names a `kid` the
// keys lack (at most once per 30 s, so a stream of made-up kids cannot make the node hammer the
// provider). Fetches run on a thread of its own, never on an event loop; a failed fetch keeps the
// keys it had, and is logged. Each fetch replaces the keyring's policy: the other keys
// (--jwt-secret, --jwt-public-key) and the claims rules stay, the fetched keys are swapped.
#include "access/jwt_keyring.h"
#include "http/fetch.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::server {

class jwks_fetcher {
 public:
  static constexpr auto period = std::chrono::minutes(10);
  static constexpr auto least_between_fetches = std::chrono::seconds(30);
  static constexpr auto timeout = std::chrono::seconds(5);
  static constexpr size_t max_bytes = 1 << 20;

  // `base`: the policy without the fetched keys.
  jwks_fetcher(http::fetch_url url, std::string shown_url, access::jwt_keyring& ring,
               std::shared_ptr<const access::jwt_policy> base);
  ~jwks_fetcher();

  // The first fetch, at start-up; false with `error` set when there are no keys.
  bool fetch_now(std::string& error);
  // The background thread: periodic and on-demand fetches. Also sets the keyring's fetcher.
  void start();
  void stop();

 private:
  void run();
  // One fetch and swap; the reason when it failed.
  std::string fetch_and_swap();

  http::fetch_url url_;
  std::string shown_url_;
  access::jwt_keyring& ring_;
  std::shared_ptr<const access::jwt_policy> base_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> waiting_;  // callers of fetch_again
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_fetch_{};
  std::optional<std::chrono::steady_clock::time_point> last_demand_;  // the last fetch for a kid
  std::thread thread_;
};

}  // namespace switchboard::server
