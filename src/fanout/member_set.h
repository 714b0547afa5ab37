#pragma once
// The members of one room on one worker. Most rooms are small: a socket's own room has one member,
// a conversation a few. Up to `inline_limit` members are a vector (one block of a few pointers);
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
    const auto it = std::find(few_.begin(), few_.end(), m);
    if (it == few_.end()) return false;
    *it = few_.back();
    few_.pop_back();
    return true;
  }

  bool empty() const { return many_ ? many_->empty() : few_.empty(); }
  size_t size() const { return many_ ? many_->size() : few_.size(); }

  template <class F>
  void for_each(F&& fn) const {
    if (many_) {
      for (member* m : *many_) fn(m);
    } else {
      for (member* m : few_) fn(m);
    }
  }

 private:
  std::vector<member*> few_;
  std::unique_ptr<std::unordered_set<member*>> many_;  // once the room outgrew `few_`
};

}  // namespace switchboard::fanout
