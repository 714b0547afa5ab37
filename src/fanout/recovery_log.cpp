#include "fanout/recovery_log.h"

#include <charconv>

namespace switchboard::fanout {

void recovery_log::append(broadcast_packet_ptr packet, broadcast_options_ptr opts, clock::time_point now) {
  last_ = packet->position.minor;
  packets_.push_back({std::move(packet), std::move(opts), now});
  while (packets_.size() > max_packets_) packets_.pop_front();
  expire(now);
}

void recovery_log::keep(recovery_session s, clock::time_point now) {
  expire(now);
  const auto expires = now + window_;
  expiry_.emplace_back(expires, s.pid);
  auto pid = s.pid;
  sessions_.insert_or_assign(std::move(pid), kept{std::move(s), expires});
}

std::optional<recovery_session> recovery_log::find(const std::string& pid, clock::time_point now) {
  expire(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end()) return std::nullopt;
  return it->second.session;
}

std::optional<missed_packets> recovery_log::take(const std::string& pid, const std::string& offset,
                                                 clock::time_point now) {
  expire(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end()) return std::nullopt;
  const recovery_session s = std::move(it->second.session);
  sessions_.erase(it);

  uint64_t seen = 0;
  const auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), seen);
  if (ec != std::errc() || end != offset.data() + offset.size() || seen > last_) return std::nullopt;
  const uint64_t oldest = packets_.empty() ? last_ + 1 : packets_.front().packet->position.minor;
  if (seen + 1 < oldest) return std::nullopt;  // some of what it missed is gone

  missed_packets missed;
  for (const auto& e : packets_) {
    if (e.packet->position.minor > seen && reaches(s.rooms, *e.opts)) missed.push_back(e.packet);
  }
  return missed;
}

void recovery_log::expire(clock::time_point now) {
  while (!packets_.empty() && packets_.front().at + window_ < now) packets_.pop_front();
  while (!expiry_.empty() && expiry_.front().first <= now) {
    auto it = sessions_.find(expiry_.front().second);
    // A pid kept again later has a later expiry; only the entry that matches removes it.
    if (it != sessions_.end() && it->second.expires <= now) sessions_.erase(it);
    expiry_.pop_front();
  }
}

}  // namespace switchboard::fanout
