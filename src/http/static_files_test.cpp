#include "http/static_files.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace switchboard::http;
namespace fs = std::filesystem;

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("sb_static_" + std::to_string(::getpid()));
    fs::create_directories(root / "sub");
    std::ofstream(root / "index.html") << "<h1>hi</h1>";
    std::ofstream(root / "sub" / "app.js") << "1";
    std::ofstream(root.parent_path() / ("secret_" + std::to_string(::getpid()))) << "no";
  }
  void TearDown() override {
    fs::remove_all(root);
    fs::remove(root.parent_path() / ("secret_" + std::to_string(::getpid())));
  }
  fs::path root;
};

TEST_F(StaticFiles, ServesFilesAndIndex) {
  static_files files(root);
  EXPECT_EQ(files.resolve("/"), fs::canonical(root) / "index.html");
  EXPECT_EQ(files.resolve("/sub/app.js"), fs::canonical(root) / "sub" / "app.js");
  request req{beast_http::verb::get, "/", 11};
  auto res = files.serve(req, "/");
  EXPECT_EQ(res.result(), status::ok);
  EXPECT_EQ(res.body(), "<h1>hi</h1>");
  EXPECT_EQ(res[field::content_type], "text/html; charset=utf-8");
}

TEST_F(StaticFiles, RefusesTraversal) {
  static_files files(root);
  const std::string secret = "secret_" + std::to_string(::getpid());
  EXPECT_FALSE(files.resolve("/../" + secret));
  EXPECT_FALSE(files.resolve("/sub/../../" + secret));
  EXPECT_FALSE(files.resolve("/sub/..\\..\\" + secret));
  EXPECT_FALSE(files.resolve(std::string("/a\0b", 4)));
  EXPECT_FALSE(files.resolve("relative"));
  request req{beast_http::verb::get, "/x", 11};
  EXPECT_EQ(files.serve(req, "/missing.html").result(), status::not_found);
  request post{beast_http::verb::post, "/", 11};
  EXPECT_EQ(files.serve(post, "/").result(), status::method_not_allowed);
}

TEST_F(StaticFiles, RefusesDotfilesManifestsAndLinksOutOfTheRoot) {
  std::ofstream(root / ".env") << "SECRET=1";
  fs::create_directories(root / ".git");
  std::ofstream(root / ".git" / "config") << "x";
  std::ofstream(root / "package.json") << "{}";
  fs::create_directories(root / "node_modules" / "m");
  std::ofstream(root / "node_modules" / "m" / "index.js") << "1";
  const std::string secret = "secret_" + std::to_string(::getpid());
  fs::create_symlink(root.parent_path() / secret, root / "out.html");
  fs::create_directory_symlink(root.parent_path(), root / "up");
  fs::create_symlink(root / "index.html", root / "in.html");
  static_files files(root);
  EXPECT_FALSE(files.resolve("/.env"));
  EXPECT_FALSE(files.resolve("/.git/config"));
  EXPECT_FALSE(files.resolve("/package.json"));
  EXPECT_FALSE(files.resolve("/node_modules/m/index.js"));
  EXPECT_FALSE(files.resolve("/out.html"));
  EXPECT_FALSE(files.resolve("/up/" + secret));
  EXPECT_EQ(files.resolve("/in.html"), fs::canonical(root) / "index.html");  // a link that stays inside
}
