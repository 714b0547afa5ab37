#pragma once
// Session and socket ids in Node's base64id shape: 15 random bytes as 20 URL-safe base64 characters.
// Engine.IO session ids carry the owning event-loop thread in their first character so that a
// long-polling request arriving on any thread is handed to the thread that owns the session.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchboard {

inline constexpr size_t max_id_workers = 64;
inline constexpr size_t random_id_length = 20;

// An id as random_id makes it, held inline: a session keeps its id for its whole life, and a
// std::string of 20 characters would add a heap block to every idle connection.
class inline_id {
 public:
  // `id` must be random_id_length characters (std::invalid_argument otherwise).
  explicit inline_id(std::string_view id);
  std::string_view view() const { return {chars_, random_id_length}; }

 private:
  char chars_[random_id_length];
};

std::string random_id();
// A random id whose first character names `worker` (< max_id_workers).
std::string random_id_for_worker(size_t worker);
// The worker named by an id made by random_id_for_worker; nullopt for anything else.
std::optional<size_t> worker_of_id(std::string_view id);

}  // namespace switchboard
