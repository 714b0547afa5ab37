#pragma once
// Serves files below one root folder (the chat page, the dashboard, the client bundle). Paths are
// resolved lexically after percent-decoding, then through any symbolic links: anything that would
// leave the root (`..`, encoded forms, NUL, a link to elsewhere) is refused with 404, never read,
// and so are dotfiles and npm's manifests and modules.
#include "http/types.h"

#include <filesystem>
#include <optional>
#include <string>

namespace switchboard::http {

class static_files {
 public:
  explicit static_files(std::filesystem::path root);

  // The file a decoded URL path maps to, or nullopt when it is outside the root or absent.
  // "/" and folders map to their index.html.
  std::optional<std::filesystem::path> resolve(std::string_view url_path) const;
  // 200 with the file, 404, or 405 for methods other than GET/HEAD.
  response serve(const request& req, std::string_view url_path) const;

  static std::string_view content_type(const std::filesystem::path& file);

 private:
  std::filesystem::path root_;  // canonical when it exists
};

}  // namespace switchboard::http
