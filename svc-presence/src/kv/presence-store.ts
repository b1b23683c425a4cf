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

/**
 * The presence bucket's keys (user, edge and device ids never hold dots,
 * so each id is one token):
 *
 * - `u.<user>`: the user's PresenceRecord, written by compare-and-set on
 *   its revision, so instances never overwrite each other's changes;
 * - `e.<edge>.<user>`: the user has a device on the edge; written before
 *   the record gains the edge, deleted after it lost it, so a dead edge's
 *   users are found without reading every record;
 * - `known.<edge>`: the edge reported; the sweeper checks each one's lease;
 * - `p.<user>`: the user is in the grace period (value: since when, ms).
 */
export class PresenceStore {
  private readonly stream: string;
  private readonly subjectPrefix: string;

  constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    bucket: string,
  ) {
    this.stream = `KV_${bucket}`;
    this.subjectPrefix = `$KV.${bucket}.`;
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
   * Writes the record if it is still at `revision`; false when another
   * writer got there first (read again and redo the change).
   */
  async write(userId: string, record: PresenceRecord, revision: number): Promise<boolean> {
    try {
      await this.kv.put(`u.${userId}`, encodeRecord(record), { previousSeq: revision });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  async addToEdgeIndex(edgeId: string, userId: string): Promise<void> {
    await this.kv.put(`e.${edgeId}.${userId}`, "");
  }

  async removeFromEdgeIndex(edgeId: string, userId: string): Promise<void> {
    await this.kv.delete(`e.${edgeId}.${userId}`);
  }

  /** Users the index lists on the edge. */
  usersOnEdge(edgeId: string): Promise<string[]> {
    return this.listTokens(`e.${edgeId}.>`, 2);
  }

  /** Records that the edge reported; returns the key's revision. */
  async markKnown(edgeId: string, nowMs: number): Promise<number> {
    return this.kv.put(`known.${edgeId}`, String(nowMs));
  }

  async isKnown(edgeId: string): Promise<boolean> {
    const entry = await this.kv.get(`known.${edgeId}`);
    return entry !== null && live(entry);
  }

  knownEdges(): Promise<string[]> {
    return this.listTokens("known.>", 1);
  }

  /**
   * Removes the edge's whole index at once (a stream purge leaves no delete
   * markers behind). Call only once no record names the edge any more.
   */
  async forgetIndex(edgeId: string): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: `${this.subjectPrefix}e.${edgeId}.>` });
  }

  async forgetKnown(edgeId: string): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: `${this.subjectPrefix}known.${edgeId}` });
  }

  /** Marks the user as in the grace period since `sinceMs`. */
  async markPending(userId: string, sinceMs: number): Promise<void> {
    await this.kv.put(`p.${userId}`, String(sinceMs));
  }

  /** The user's pending mark: since when, and its revision; null if none. */
  async pending(userId: string): Promise<{ sinceMs: number; revision: number } | null> {
    const entry = await this.kv.get(`p.${userId}`);
    if (!entry || !live(entry)) return null;
    return { sinceMs: Number(entry.string()), revision: entry.revision };
  }

  /**
   * Removes a pending mark if it is still at `revision`: one rewritten
   * meanwhile (a new grace period began) stays. Only the sweeper removes
   * marks, after reading the record, so a record in its grace period never
   * lacks one.
   */
  async clearPending(userId: string, revision: number): Promise<void> {
    try {
      await this.kv.delete(`p.${userId}`, { previousSeq: revision });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  pendingUsers(): Promise<string[]> {
    return this.listTokens("p.>", 1);
  }

  /**
   * The `index`th dot-separated token of each key matching `filter`, from
   * the stream's per-subject counts (a request, paged by the client). Not
   * kv.keys(): in our tests on NATS 2.9 its listing now and then never
   * finished, which stalled the sweeper for good. The counts include
   * deleted keys (a delete marker is a message); callers read each key.
   */
  private async listTokens(filter: string, index: number): Promise<string[]> {
    const info = await this.jsm.streams.info(this.stream, {
      subjects_filter: `${this.subjectPrefix}${filter}`,
    });
    const prefixTokens = this.subjectPrefix.split(".").length - 1;
    return Object.keys(info.state.subjects ?? {}).flatMap((subject) => {
      const token = subject.split(".")[prefixTokens + index];
      return token ? [token] : [];
    });
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
