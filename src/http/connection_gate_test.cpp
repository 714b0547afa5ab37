#include "http/connection_gate.h"

#include <gtest/gtest.h>

namespace switchboard::http {
namespace {

const auto a = boost::asio::ip::make_address("10.0.0.1");
const auto a_mapped = boost::asio::ip::make_address("::ffff:10.0.0.1");
const auto b = boost::asio::ip::make_address("2001:db8::1");

TEST(ConnectionGate, EachAddressHasItsLimitAndTicketsGiveTheirPlaceBack) {
  auto shared = std::make_shared<connection_gate>(2);
  auto& gate = *shared;
  auto t1 = gate.enter(a);
  auto t2 = gate.enter(a_mapped);  // the same address
  EXPECT_TRUE(t1 && t2);
  EXPECT_FALSE(gate.enter(a));
  auto t3 = gate.enter(b);
  EXPECT_TRUE(t3);
  EXPECT_EQ(gate.waiting(), 3u);
  t1.reset();
  EXPECT_EQ(gate.waiting(), 2u);
  auto t4 = gate.enter(a);
  EXPECT_TRUE(t4);
  connection_gate::ticket moved = std::move(t4);
  EXPECT_FALSE(t4);
  EXPECT_EQ(gate.waiting(), 3u);
  { connection_gate::ticket gone = std::move(moved); }
  EXPECT_EQ(gate.waiting(), 2u);
}

TEST(ConnectionGate, ZeroMeansNoLimit) {
  auto shared = std::make_shared<connection_gate>(0);
  auto& gate = *shared;
  std::vector<connection_gate::ticket> tickets;
  for (int i = 0; i < 1000; ++i) tickets.push_back(gate.enter(a));
  EXPECT_TRUE(tickets.back());
  EXPECT_EQ(gate.waiting(), 1000u);
  tickets.clear();
  EXPECT_EQ(gate.waiting(), 0u);
}

}  // namespace
}  // namespace switchboard::http
