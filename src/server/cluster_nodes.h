#pragma once
// Every node of the cluster as the dashboard shows it: each node writes its own figures
// (node id, connections, rates) into the hash `<prefix>:{nodes}` and scores itself with Redis' clock
// in `<prefix>:{nodes}:seen` (one hash tag: one shard of a Redis Cluster runs the script) once a second; a read returns
// the figures of nodes seen in the last 5 s. Called from the dashboard feed on worker 0; answers arrive there too.
#include "base/json.h"
#include "cluster/redis_link.h"

#include <functional>

namespace switchboard::server {

class cluster_nodes {
 public:
  cluster_nodes(cluster::redis_link& link, std::string prefix, std::string node_id);

  // Writes this node's figures, then calls `done` with every live node's (this one included).
  void exchange(const json& mine, std::function<void(json nodes)> done);

 private:
  cluster::redis_link& link_;
  std::string hash_;
  std::string seen_;
  std::string node_id_;
};

}  // namespace switchboard::server
