import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import type { KV, KvEntry } from "@nats-io/kv";
import {
  decodeRecord,
  EMPTY_RECORD,
  encodeRecord,
  type PresenceRecord,
} from "../domain/presence-record.js";

/** A record with the revision to compare-and-set it against (0: none). */
export interface StoredRecord {
  record: PresenceRecord;
  revision: number;
}

/** An edge svc-presence heard from, as its `known` key says. */
export interface KnownEdge {
  /** The key's revision, to remove it only if no report rewrote it. */
  revision: number;
  /** When the edge last reported, ms; 0 when unknown. */
  lastHeardMs: number;
}

/** Keys listed from a stream, and its last sequence when they were. */
export interface Listing {
  tokens: string[];
  /** Every key written later has a higher sequence (revision). */
  lastSeq: number;
}

/** A KV bucket's stream, for listing keys and purging by subject. */
class BucketStream {
  readonly name: string;
  readonly subjectPrefix: string;

  constructor(
    private readonly jsm: JetStreamManager,
    bucket: string,
  ) {
    this.name = `KV_${bucket}`;
    this.subjectPrefix = `$KV.${bucket}.`;
  }

  /**
   * The `index`th dot-separated token of each key matching `filter`, from
   * the stream's per-subject counts (a request, paged by the client). Not
   * kv.keys(): in our tests on NATS 2.9 its listing now and then never
   * finished, which stalled the sweeper for good. The counts include
   * deleted keys (a delete marker is a message); callers read each key.
   */
  async list(filter: string, index: number): Promise<Listing> {
    const info = await this.jsm.streams.info(this.name, {
      subjects_filter: `${this.subjectPrefix}${filter}`,
    });
    const prefixTokens = this.subjectPrefix.split(".").length - 1;
    const tokens = Object.keys(info.state.subjects ?? {}).flatMap((subject) => {
      const token = subject.split(".")[prefixTokens + index];
      return token ? [token] : [];
    });
    return { tokens, lastSeq: info.state.last_seq };
  }

  /**
   * Removes the keys matching `filter` written at or before `upToSeq` (all
   * of them without it), leaving no delete markers: a key rewritten later
   * stays. Conditional on the sequence, so nothing written after the
   * caller looked is lost.
   */
  async purge(filter: string, upToSeq?: number): Promise<void> {
    await this.jsm.streams.purge(this.name, {
      filter: `${this.subjectPrefix}${filter}`,
      ...(upToSeq !== undefined ? { seq: upToSeq + 1 } : {}),
    });
  }
}

/**
 * The presence keys (user, edge and device ids never hold dots, so each
 * id is one token). In the presence bucket (no TTL):
 *
 * - `u.<user>`: the user's PresenceRecord, written by compare-and-set on
 *   its revision, so instances never overwrite each other's changes;
 * - `e.<edge>.<user>`: the user has (or had) a device on the edge; written
 *   before the record gains the edge, so a dead edge's users are found
 *   without reading every record. Never deleted one by one (see
 *   UserChanges): the whole index goes with the edge;
 * - `known.<edge>`: the edge reports; rewritten by each report with its
 *   time (ms), so the sweeper, which checks each known edge's lease, knows
 *   when an edge whose lease ran out was last heard from.
 *
 * In the pending bucket (TTL far beyond the grace period, so marks and the
 * delete markers their removal leaves age out instead of piling up):
 *
 * - `<user>`: the user is in the grace period (value: since when, ms).
 */
export class PresenceStore {
  private readonly records: BucketStream;
  private readonly marks: BucketStream;

  constructor(
    private readonly kv: KV,
    private readonly pendingKv: KV,
    jsm: JetStreamManager,
    buckets: { presence: string; pending: string },
  ) {
    this.records = new BucketStream(jsm, buckets.presence);
    this.marks = new BucketStream(jsm, buckets.pending);
  }

  async read(userId: string): Promise<StoredRecord> {
    const entry = await this.kv.get(`u.${userId}`);
    if (!entry) return { record: EMPTY_RECORD, revision: 0 };
    return {
      record: live(entry) ? decodeRecord(entry.string()) : EMPTY_RECORD,
      revision: entry.revision,
    };
  }

  /**
   * Writes the record if it is still at `revision` and returns the new
   * revision; null when another writer got there first (read again and
   * redo the change).
   */
  async write(userId: string, record: PresenceRecord, revision: number): Promise<number | null> {
    try {
      return await this.kv.put(`u.${userId}`, encodeRecord(record), { previousSeq: revision });
    } catch (err) {
      if (isConflict(err)) return null;
      throw err;
    }
  }

  async addToEdgeIndex(edgeId: string, userId: string): Promise<void> {
    await this.kv.put(`e.${edgeId}.${userId}`, "");
  }

  /** Users the index lists on the edge (some may have left it since). */
  async usersOnEdge(edgeId: string): Promise<Listing> {
    return this.records.list(`e.${edgeId}.>`, 2);
  }

  /** Records that the edge reported at `nowMs`; returns the key's revision. */
  async markKnown(edgeId: string, nowMs: number): Promise<number> {
    return this.kv.put(`known.${edgeId}`, String(nowMs));
  }

  async isKnown(edgeId: string): Promise<boolean> {
    return (await this.known(edgeId)) !== null;
  }

  /**
   * The edge's `known` key: its revision, and when the edge last reported
   * (ms; 0 when the value is unreadable). Null when it has none.
   */
  async known(edgeId: string): Promise<KnownEdge | null> {
    const entry = await this.kv.get(`known.${edgeId}`);
    if (entry === null || !live(entry)) return null;
    const heardMs = Number(entry.string());
    return {
      revision: entry.revision,
      lastHeardMs: Number.isSafeInteger(heardMs) && heardMs > 0 ? heardMs : 0,
    };
  }

  async knownEdges(): Promise<string[]> {
    return (await this.records.list("known.>", 1)).tokens;
  }

  /**
   * Removes the edge's index keys written at or before `upToSeq` (the
   * listing's `lastSeq`; all without it) by a stream purge, which leaves
   * no delete markers. Call only once no record names the edge any more;
   * keys written since the listing (the edge is back) stay.
   */
  async forgetIndex(edgeId: string, upToSeq?: number): Promise<void> {
    await this.records.purge(`e.${edgeId}.>`, upToSeq);
  }

  /**
   * Removes the edge's `known` key if it is still at `revision` (any
   * revision without it): an edge that reported again meanwhile rewrote
   * it, and stays known.
   */
  async forgetKnown(edgeId: string, revision?: number): Promise<void> {
    await this.records.purge(`known.${edgeId}`, revision);
  }

  /** Marks the user as in the grace period since `sinceMs`. */
  async markPending(userId: string, sinceMs: number): Promise<void> {
    await this.pendingKv.put(userId, String(sinceMs));
  }

  /** The user's pending mark: since when, and its revision; null if none. */
  async pending(userId: string): Promise<{ sinceMs: number; revision: number } | null> {
    const entry = await this.pendingKv.get(userId);
    if (!entry || !live(entry)) return null;
    return { sinceMs: Number(entry.string()), revision: entry.revision };
  }

  /**
   * Removes a pending mark if it is still at `revision`: one rewritten
   * meanwhile (a new grace period began) stays. Only the sweeper removes
   * marks, after reading the record, so a record in its grace period never
   * lacks one (unless the mark outlived the bucket's TTL: see
   * PresenceReader). The delete marker ages out with the bucket's TTL.
   */
  async clearPending(userId: string, revision: number): Promise<void> {
    try {
      await this.pendingKv.delete(userId, { previousSeq: revision });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  async pendingUsers(): Promise<string[]> {
    return (await this.marks.list(">", 0)).tokens;
  }
}

function live(entry: KvEntry): boolean {
  return entry.operation === "PUT";
}

/** JetStream's answer to a write whose expected revision was not the last. */
function isConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
