#include "engineio/deadline_list.h"

namespace switchboard::engineio {

void deadline_list::link_back(hook& sentinel, hook& h) {
  h.prev_ = sentinel.prev_;
  h.next_ = &sentinel;
  sentinel.prev_->next_ = &h;
  sentinel.prev_ = &h;
}

void deadline_list::hook::unlink() {
  if (!next_) return;
  prev_->next_ = next_;
  next_->prev_ = prev_;
  prev_ = next_ = nullptr;
}

deadline_list::deadline_list(boost::asio::io_context& ctx, std::chrono::milliseconds duration,
                             std::function<void(hook&)> fire)
    : duration_(duration), fire_(std::move(fire)), timer_(ctx) {
  head_.prev_ = head_.next_ = &head_;
}

deadline_list::~deadline_list() {
  // Entries that outlive the list (held by handlers still queued at shutdown) must not touch it.
  while (head_.next_ != &head_) head_.next_->unlink();
  head_.prev_ = head_.next_ = nullptr;
}

void deadline_list::arm(hook& h) {
  h.unlink();
  h.deadline_ = clock::now() + duration_;
  link_back(head_, h);
  if (!waiting_) wait();
}

// The timer is set for the head's deadline; a cancelled head only makes it fire early once.
void deadline_list::wait() {
  waiting_ = true;
  timer_.expires_at(head_.next_->deadline_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // the list is going away
    on_timer();
  });
}

void deadline_list::on_timer() {
  waiting_ = false;
  // The expired prefix moves to a local list first: an entry re-armed by `fire` goes to the back
  // of this list and must wait for its new deadline, even with a zero duration.
  hook expired;
  expired.prev_ = expired.next_ = &expired;
  const auto now = clock::now();
  while (head_.next_ != &head_ && head_.next_->deadline_ <= now) {
    hook* h = head_.next_;
    h->unlink();
    link_back(expired, *h);
  }
  while (expired.next_ != &expired) {
    hook* h = expired.next_;
    h->unlink();
    fire_(*h);
  }
  expired.prev_ = expired.next_ = nullptr;
  if (!waiting_ && head_.next_ != &head_) wait();
}

}  // namespace switchboard::engineio
