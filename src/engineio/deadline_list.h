#pragma once
// One worker's heartbeat deadlines of one duration (the ping interval, or the ping timeout),
// without one Asio timer per session: a steady_timer costs ~110 bytes in its owner and its pending
// wait ~100 more, for every idle connection. Every deadline in a list is "now + the same
// duration", so appending keeps the list sorted by deadline: arming, re-arming and cancelling are
// O(1) on an intrusive doubly linked list, and one steady_timer, set for the head, serves it all.
// Each entry still fires at its own deadline.
//
// Lives on its worker and is touched only there. `fire` runs for each expired entry after the entry
// is unlinked; it may arm, cancel or destroy any entry (this one included).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace switchboard::engineio {

class deadline_list {
 public:
  using clock = std::chrono::steady_clock;

  // Embedded in (or a base of) the object whose deadline it is. Unlinks itself when destroyed.
  class hook {
   public:
    hook() = default;
    hook(const hook&) = delete;
    hook& operator=(const hook&) = delete;
    ~hook() { unlink(); }

    bool linked() const { return next_ != nullptr; }
    // Cancels the deadline, if any.
    void unlink();

   private:
    friend class deadline_list;
    hook* prev_ = nullptr;
    hook* next_ = nullptr;
    clock::time_point deadline_;
  };

  deadline_list(boost::asio::io_context& ctx, std::chrono::milliseconds duration, std::function<void(hook&)> fire);
  ~deadline_list();
  deadline_list(const deadline_list&) = delete;
  deadline_list& operator=(const deadline_list&) = delete;

  // (Re)arms `h` to fire `duration` from now; it leaves whatever list it was in.
  void arm(hook& h);

 private:
  static void link_back(hook& sentinel, hook& h);
  void wait();
  void on_timer();

  hook head_;  // sentinel of the circular list
  std::chrono::milliseconds duration_;
  std::function<void(hook&)> fire_;
  boost::asio::steady_timer timer_;
  bool waiting_ = false;
};

}  // namespace switchboard::engineio
