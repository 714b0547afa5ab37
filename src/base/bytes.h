#pragma once
// Immutable shared bytes: a payload is encoded once and every send queue that carries it holds a
// reference, never a copy (docs/design.md#performance-model, "encode once").
#include <memory>
#include <string>

namespace switchboard {

using shared_bytes = std::shared_ptr<const std::string>;

inline shared_bytes make_shared_bytes(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

}  // namespace switchboard
