#pragma once
// The members of one room on one worker. Most rooms are small: a user's own room has one member,
// a conversation a few. One member is kept inline; up to `inline_limit` members are a vector (one
// block of a few pointers);
// past it, a hash set, so that leaving a room of thousands stays constant-time. A std::unordered_set
// for every room would cost every connection a bucket array and a node for its own room alone
// (docs/design.md#performance-model, "small idle connections").
#include <algorithm>
#include <cstddef>
#include <memory>
#include <unordered_set>
#include <vector>

namespace switchboard::fanout {

class member;

class member_set {
 public:
  static constexpr size_t inline_limit = 16;

  // False when `m` was already in.
  bool insert(member* m) {
    if (many_) return many_->insert(m).second;
    if (one_ == m) return false;
    if (!one_ && few_.empty()) {
      one_ = m;  // a room of one (a user's own room, mostly) allocates nothing more
      return true;
    }
    if (one_) {
      few_.push_back(one_);
      one_ = nullptr;
    }
    if (std::find(few_.begin(), few_.end(), m) != few_.end()) return false;
    if (few_.size() < inline_limit) {
      few_.push_back(m);
      return true;
    }
    many_ = std::make_unique<std::unordered_set<member*>>(few_.begin(), few_.end());
    std::vector<member*>().swap(few_);
    return many_->insert(m).second;
  }

  // False when `m` was not in.
  bool erase(member* m) {
    if (many_) return many_->erase(m) > 0;
    if (one_) {
      if (one_ != m) return false;
      one_ = nullptr;
      return true;
    }
    const auto it = std::find(few_.begin(), few_.end(), m);
    if (it == few_.end()) return false;
    *it = few_.back();
    few_.pop_back();
    return true;
  }

  bool empty() const { return many_ ? many_->empty() : !one_ && few_.empty(); }
  size_t size() const { return many_ ? many_->size() : one_ ? 1 : few_.size(); }

  template <class F>
  void for_each(F&& fn) const {
    if (many_) {
      for (member* m : *many_) fn(m);
    } else if (one_) {
      fn(one_);
    } else {
      for (member* m : few_) fn(m);
    }
  }

 private:
  member* one_ = nullptr;                              // the member while there is exactly one (then `few_` is empty)
  std::vector<member*> few_;                           // up to inline_limit
  std::unique_ptr<std::unordered_set<member*>> many_;  // once the room outgrew `few_`
};

}  // namespace switchboard::fanout
