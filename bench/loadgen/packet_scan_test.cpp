#include "bench/loadgen/packet_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::bench {
namespace {

TEST(packet_scan, marker_round_trips_inside_a_message_event) {
  char text[128];
  const bench_marker sent{7, 12345, 987654321012345};
  const size_t n = write_marker_text(text, 100, sent);
  ASSERT_EQ(n, 100u);
  // Key orders as Switchboard (ordered JSON) and Node (object literal) emit them.
  const std::string packet = "2[\"message\",{\"id\":3,\"room\":\"bench\",\"user\":\"bench-1\",\"text\":\"" +
                             std::string(text, n) + "\",\"ts\":1}]";
  bench_marker got;
  ASSERT_TRUE(find_marker(packet, got));
  EXPECT_EQ(got.publisher, 7u);
  EXPECT_EQ(got.seq, 12345u);
  EXPECT_EQ(got.sent_ns, 987654321012345);
}

TEST(packet_scan, short_sizes_keep_the_whole_marker) {
  char text[max_marker_length];
  const size_t n = write_marker_text(text, 1, bench_marker{1, 2, 3});
  EXPECT_EQ(std::string(text, n), "~1:2:3~");
}

TEST(packet_scan, no_marker_in_other_events) {
  bench_marker m;
  EXPECT_FALSE(find_marker("2[\"presence\",{\"room\":\"bench\",\"user\":\"x\",\"action\":\"join\"}]", m));
  EXPECT_FALSE(find_marker("2[\"message\",{\"text\":\"~1:2~\"}]", m));
}

TEST(packet_scan, recognises_events_by_name) {
  EXPECT_TRUE(is_event("2[\"message\",{}]", "message"));
  EXPECT_TRUE(is_event("212[\"all\",\"x\"]", "all"));
  EXPECT_FALSE(is_event("2[\"messages\",{}]", "message"));
  EXPECT_FALSE(is_event("3[\"message\"]", "message"));
  EXPECT_FALSE(is_event("2[\"mess", "message"));
}

TEST(packet_scan, reads_acks) {
  uint64_t id = 0;
  std::string_view args;
  ASSERT_TRUE(parse_ack("317[{\"ok\":true,\"id\":4}]", id, args));
  EXPECT_EQ(id, 17u);
  EXPECT_EQ(args, "[{\"ok\":true,\"id\":4}]");
  EXPECT_TRUE(ack_ok(args));
  EXPECT_FALSE(ack_ok("[{\"ok\":false,\"error\":\"not_in_room\"}]"));
  EXPECT_FALSE(parse_ack("3[{}]", id, args));
}

}  // namespace
}  // namespace switchboard::bench
