import type { NatsSettings } from "../settings.js";
import { Topology } from "./topology.js";

export function topologyFromSettings(s: NatsSettings): Topology {
  return new Topology({
    namespace: s.PARLEY_NAMESPACE,
    partitions: s.PARLEY_PARTITIONS,
    replicas: s.PARLEY_STREAM_REPLICAS,
    sendDedupWindowMs: s.PARLEY_SEND_DEDUP_WINDOW_MS,
    inboxMaxAgeMs: s.PARLEY_INBOX_MAX_AGE_MS,
    fanoutAckWaitMs: s.PARLEY_FANOUT_ACK_WAIT_MS,
    historyAckWaitMs: s.PARLEY_HISTORY_ACK_WAIT_MS,
  });
}
