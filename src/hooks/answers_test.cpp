#include "hooks/answers.h"

#include <gtest/gtest.h>

namespace switchboard::hooks {
namespace {

answer ok(const char* body) { return answer{outcome::ok, 200, json::parse(body), {}}; }
answer refused(unsigned status, const char* body) { return answer{outcome::refused, status, json::parse(body), {}}; }

TEST(connect_answer, names_the_user_with_name_rooms_and_data) {
  std::string error;
  const auto v =
      read_connect_answer(ok(R"({"user":"u1","name":" Ada ","rooms":["team-*"],"data":{"plan":"pro"}})"), error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(v->who.user, "u1");
  EXPECT_EQ(v->who.name, "Ada");
  EXPECT_EQ(v->who.rooms, std::vector<std::string>{"team-*"});
  EXPECT_EQ(v->data, json::parse(R"({"plan":"pro"})"));
  EXPECT_FALSE(v->refused);
}

TEST(connect_answer, a_401_or_403_refuses_with_the_backends_message) {
  std::string error;
  const auto v401 = read_connect_answer(refused(401, R"({"message":"log in first"})"), error);
  ASSERT_TRUE(v401 && v401->refused);
  EXPECT_EQ(v401->refused->error, "unauthorized");
  EXPECT_EQ(v401->refused->message, "log in first");
  const auto v403 = read_connect_answer(refused(403, R"({"message":"bad\u202eword"})"), error);
  ASSERT_TRUE(v403 && v403->refused);
  EXPECT_EQ(v403->refused->error, "forbidden");
  EXPECT_NE(v403->refused->message, "bad\u202eword") << "a message with format characters is not passed on";
}

TEST(connect_answer, an_answer_out_of_shape_is_unusable) {
  for (const char* body :
       {R"({})", R"({"user":""})", R"({"user":42})", R"({"user":"a\u0000b"})", R"({"user":"u","name":""})",
        R"({"user":"u","rooms":"team"})", R"({"user":"u","rooms":["a*b"]})"}) {
    std::string error;
    EXPECT_FALSE(read_connect_answer(ok(body), error)) << body;
    EXPECT_FALSE(error.empty()) << body;
  }
  std::string error;
  EXPECT_FALSE(read_connect_answer(answer{outcome::timeout, 0, {}, "no answer within 5 ms"}, error));
  EXPECT_EQ(error, "no answer within 5 ms");
}

TEST(join_answer, allow_must_be_a_boolean) {
  std::string error;
  EXPECT_TRUE(read_join_answer(ok(R"({"allow":true})"), error)->allow);
  const auto no = read_join_answer(ok(R"({"allow":false,"message":"team only"})"), error);
  ASSERT_TRUE(no);
  EXPECT_FALSE(no->allow);
  EXPECT_EQ(no->message, "team only");
  EXPECT_FALSE(read_join_answer(ok(R"({"allow":"yes"})"), error));
  EXPECT_FALSE(read_join_answer(refused(403, "{}"), error)) << "a join hook answers 200";
}

TEST(message_answer, allows_rewrites_or_refuses_with_a_code) {
  std::string error;
  EXPECT_FALSE(read_message_answer(ok(R"({"allow":true})"), error)->text);
  EXPECT_EQ(*read_message_answer(ok(R"({"allow":true,"text":"h***o"})"), error)->text, "h***o");
  const auto no = read_message_answer(ok(R"({"allow":false,"error":"bad_word","message":"mind your words"})"), error);
  ASSERT_TRUE(no && no->refused);
  EXPECT_EQ(no->refused->error, "bad_word");
  EXPECT_EQ(read_message_answer(ok(R"({"allow":false,"error":"Not A Code"})"), error)->refused->error, "forbidden");
  EXPECT_FALSE(read_message_answer(ok(R"({"allow":true,"text":5})"), error));
}

TEST(rpc_answer, reads_reply_and_every_action_or_nothing) {
  std::string error;
  const auto v = read_rpc_answer(
      ok(R"({"reply":{"n":4},"actions":[{"emit":{"to":{"room":"r"},"event":"rolled","data":4}},{"join":"r2"},
              {"leave":"r3"},{"disconnect":true}]})"),
      error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(*v->reply, json::parse(R"({"n":4})"));
  ASSERT_EQ(v->actions.size(), 4u);
  const auto& e = std::get<emit_action>(v->actions[0]);
  EXPECT_EQ(e.to_kind, "room");
  EXPECT_EQ(e.event, "rolled");
  EXPECT_EQ(std::get<join_action>(v->actions[1]).room, "r2");
  EXPECT_EQ(std::get<leave_action>(v->actions[2]).room, "r3");
  EXPECT_TRUE(std::holds_alternative<disconnect_action>(v->actions[3]));
  const std::string long_user(100, 'u');  // a user id may be longer than a room name
  EXPECT_TRUE(read_rpc_answer(
      ok(("{\"actions\":[{\"emit\":{\"to\":{\"user\":\"" + long_user + "\"},\"event\":\"e\"}}]}").c_str()), error))
      << error;
  for (const char* body :
       {R"({"actions":{}})", R"({"actions":[{"emit":{"to":{"room":"r"},"event":"connect"}}]})",
        R"({"actions":[{"emit":{"to":{"room":"r","user":"u"},"event":"e"}}]})", R"({"actions":[{"join":"user:bob"}]})",
        R"({"actions":[{"join":"ok"},{"fly":1}]})", R"({"actions":[{"disconnect":false}]})"}) {
    EXPECT_FALSE(read_rpc_answer(ok(body), error)) << body;
  }
}

}  // namespace
}  // namespace switchboard::hooks
