#include "engineio/outgoing.h"

#include <gtest/gtest.h>

using namespace switchboard::engineio;
using switchboard::protocol::engineio::packet_type;

TEST(Outgoing, TextFrameAndPollingFormShareOneEncoding) {
  auto m = outgoing::text(packet_type::message, "hello");
  EXPECT_EQ(*m->frame(), std::string("\x81\x06"
                                     "4hello"));
  EXPECT_EQ(m->packet(), "4hello");
  EXPECT_EQ(m->polling_form(), "4hello");
}

TEST(Outgoing, BinaryIsRawOnWebSocketAndBase64OnPolling) {
  auto m = outgoing::binary(std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(*m->frame(), std::string("\x82\x04\x01\x02\x03\x04", 6));
  EXPECT_EQ(m->polling_form(), "bAQIDBA==");
}

TEST(Outgoing, LongFramesUseExtendedLength) {
  auto m = outgoing::text(packet_type::message, std::string(200, 'x'));
  EXPECT_EQ(static_cast<unsigned char>((*m->frame())[1]), 126);
  EXPECT_EQ(m->packet().size(), 201u);
}
