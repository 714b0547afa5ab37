#include "http/static_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace switchboard::http {
namespace {

// Never served, though a web root often holds them: dotfiles (.env, .git), and the npm manifests
// and modules a page's build leaves beside it.
bool private_name(std::string_view segment) {
  return segment.starts_with('.') || segment == "node_modules" || segment == "package.json" ||
         segment == "package-lock.json";
}

// Whether `path` is `root` or below it, both canonical.
bool within(const std::filesystem::path& path, const std::filesystem::path& root) {
  const auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

}  // namespace

static_files::static_files(std::filesystem::path root) {
  std::error_code ec;
  root_ = std::filesystem::weakly_canonical(root, ec);
  if (ec) root_ = std::move(root);
}

std::optional<std::filesystem::path> static_files::resolve(std::string_view url_path) const {
  if (url_path.empty() || url_path[0] != '/') return std::nullopt;
  std::filesystem::path rel;
  size_t pos = 1;
  while (pos <= url_path.size()) {
    const size_t slash = std::min(url_path.find('/', pos), url_path.size());
    const auto seg = url_path.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (private_name(seg) || seg.find('\0') != std::string_view::npos || seg.find('\\') != std::string_view::npos) {
      return std::nullopt;
    }
    rel /= std::string(seg);
  }
  auto full = root_ / rel;
  std::error_code ec;
  if (std::filesystem::is_directory(full, ec)) full /= "index.html";
  if (!std::filesystem::is_regular_file(full, ec)) return std::nullopt;
  // A link inside the root may point anywhere: what counts is where it leads.
  auto real = std::filesystem::canonical(full, ec);
  if (ec || !within(real, root_)) return std::nullopt;
  return real;
}

std::string_view static_files::content_type(const std::filesystem::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

response static_files::serve(const request& req, std::string_view url_path) const {
  if (req.method() != beast_http::verb::get && req.method() != beast_http::verb::head) {
    auto res = make_response(req, status::method_not_allowed, "application/json",
                             R"({"error":"method_not_allowed","message":"static files answer GET and HEAD only"})");
    res.set(field::allow, "GET, HEAD");
    return res;
  }
  const auto file = resolve(url_path);
  if (!file)
    return make_response(req, status::not_found, "application/json",
                         R"({"error":"not_found","message":"no such file"})");
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  auto res = make_response(req, status::ok, content_type(*file), body.str());
  res.set(field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace switchboard::http
