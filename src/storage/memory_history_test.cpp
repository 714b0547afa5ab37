#include "storage/memory_history.h"

#include <gtest/gtest.h>

namespace switchboard::storage {
namespace {

// Completions are posted: run the context until they have all run.
std::vector<message> read_all(memory_history& h, boost::asio::io_context& ctx, history_query q) {
  std::vector<message> out;
  h.read(std::move(q), ctx, [&](bool ok, std::vector<message> m) {
    EXPECT_TRUE(ok);
    out = std::move(m);
  });
  ctx.restart();
  ctx.run();
  return out;
}

TEST(memory_history, ids_per_room_newest_first_and_bounded) {
  boost::asio::io_context ctx;
  memory_history h(3);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    h.append({0, "r", "u", std::to_string(i), 1, {}}, ctx,
             [&](std::optional<message> m, std::string) { ids.push_back(m->id); });
  }
  h.append({0, "other", "u", "x", 1, {}}, ctx, [&](std::optional<message> m, std::string) { ids.push_back(m->id); });
  ctx.run();
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2, 3, 4, 5, 1}));
  const auto all = read_all(h, ctx, {"r", std::nullopt, 50});
  ASSERT_EQ(all.size(), 3u);  // only the last 3 are kept
  EXPECT_EQ(all.front().id, 5u);
  EXPECT_EQ(all.back().id, 3u);
  const auto page = read_all(h, ctx, {"r", 5, 1});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, 4u);
  EXPECT_TRUE(read_all(h, ctx, {"none", std::nullopt, 50}).empty());
}

}  // namespace
}  // namespace switchboard::storage
