#pragma once
// The TOML file of `--config`: each top-level key is a flag's name (`api-key = "..."`, a list for
// a repeatable flag), and `[[rooms]]` tables are the room rules, which only the file can hold. An
// unknown key, a value of the wrong type or a bad rule is an error naming the file, line and key:
// a misspelt key must never leave the server running without it.
#include "access/room_rules.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::server {

struct config_flag {
  std::string name;  // the flag's name, without "--"
  std::string value;
  std::string where;  // "FILE:LINE", for a message about the value
};

struct config_file {
  std::vector<config_flag> flags;  // in file order
  std::vector<access::room_rule> rooms;
};

struct flag_kind {
  bool known = false;
  bool repeatable = false;
};

// Reads and checks the file; `kind_of` tells which flag names exist. nullopt with `error` set
// (starting "FILE:LINE:") when it cannot be used.
std::optional<config_file> read_config_file(const std::string& path,
                                            const std::function<flag_kind(const std::string&)>& kind_of,
                                            std::string& error);

}  // namespace switchboard::server
