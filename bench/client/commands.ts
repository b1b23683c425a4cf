// The contract between the bench's coordinator and its client worker
// processes: commands go down over IPC, one answer comes back per command.

/** How a worker's devices reach the server under test. */
export type Transport =
  /** The Parley protocol over WebSocket (Parley itself, or the bare ws relay). */
  | { kind: "ws"; urls: string[]; localAddress?: string; secret: string }
  /** Bare core NATS publish/subscribe, one connection per worker. */
  | { kind: "nats"; url: string; prefix: string };

/**
 * One conversation a user sends into: a 1:1 peer (`to`) or a group
 * (`conversation_id`, known once created). `tag` names the conversation in
 * the plan and starts every client message id sent into it.
 */
export interface Slot {
  user: string;
  tag: string;
  to?: string;
  conversation_id?: string;
}

export type Command =
  | { cmd: "setup"; transport: Transport }
  /** Opens sessions for `users`; user i goes to edge (first + i) % urls. */
  | { cmd: "connect"; users: string[]; first: number; concurrency: number; expect?: number }
  /** Closes sessions in order (after acking what arrived), or drops them. */
  | { cmd: "disconnect"; users: string[]; abrupt?: boolean }
  | { cmd: "createGroups"; groups: { tag: string; creator: string; members: string[] }[] }
  /** Starts (or changes) open-loop sending at `rate` messages/s over the slots. */
  | { cmd: "load"; slots: Slot[]; groupShare: number; rate: number; bodyBytes: number }
  /** Stops sending and resolves once every send in flight is answered. */
  | { cmd: "drain" }
  /** Sends `perSlot` messages into each slot, `window` in flight per slot. */
  | { cmd: "burst"; slots: Slot[]; perSlot: number; window: number; bodyBytes: number }
  /** Counters and histograms since the last snapshot (then reset). */
  | { cmd: "snapshot" }
  /** What each user received, per (sender, conversation). */
  | { cmd: "ledger" }
  | { cmd: "status" };

/** Counters of one interval, summed over the worker's devices. */
export interface IntervalStats {
  sent: number;
  acked: number;
  received: number;
  groupReceived: number;
  duplicates: number;
  retries: number;
  errors: number;
  /** hdr histograms (µs), compressed base64. */
  ackLatency: string;
  receiveLatency: string;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  firstError?: string;
  /** Wall-clock ms (epoch) of the first attempt and of the last session up. */
  startedAt: number;
  finishedAt: number;
  /** Connect → caught_up (µs), compressed base64. */
  connectLatency: string;
  /** Per user: ms from the start of the command until `expect` messages had arrived. */
  completedAt?: Record<string, number>;
}

/** Per recipient user, per "sender|tag": distinct sequence numbers received. */
export type Ledger = Record<string, Record<string, number>>;

export interface LedgerResult {
  received: Ledger;
  /** Per "sender|tag": messages the server acked (sent). */
  acked: Record<string, number>;
  duplicates: number;
}

export interface WorkerStatus {
  open: number;
  dropped: number;
  rss: number;
  firstDrop?: string;
}
