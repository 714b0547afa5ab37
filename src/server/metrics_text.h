#pragma once
// /metrics in the Prometheus text format (version 0.0.4) from base/metrics.
#include <string>

namespace switchboard::server {

std::string prometheus_text(const std::string& node_id, double uptime_seconds, bool draining);

}  // namespace switchboard::server
