import { Topology } from "@parley/common";

/** The topology of a test namespace, as the edge derives it from baseEnv. */
export function testTopology(namespace: string): Topology {
  return new Topology({
    namespace,
    partitions: 4,
    replicas: 1,
    sendDedupWindowMs: 60_000,
    inboxMaxAgeMs: 60 * 60_000,
  });
}
