import type pg from "pg";
import type { MediaRecord } from "../domain/media-record.js";
import type { ValidUpload } from "../domain/upload-request.js";
import type { Verified } from "../media/completion.js";

interface MediaRow {
  media_id: string;
  owner_id: string;
  content_type: string;
  size_bytes: string;
  sha256: string;
  file_name: string;
  state: "pending" | "ready";
  width: number;
  height: number;
  thumbnail_jpeg: Buffer | null;
  thumbnail_width: number;
  thumbnail_height: number;
  created_ms: string;
  expires_ms: string;
}

const COLUMNS = `media_id, owner_id, content_type, size_bytes, sha256, file_name, state,
  width, height, thumbnail_jpeg, thumbnail_width, thumbnail_height,
  (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,
  (extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms`;

function toRecord(row: MediaRow): MediaRecord {
  return {
    mediaId: row.media_id,
    ownerId: row.owner_id,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    fileName: row.file_name,
    state: row.state,
    width: row.width,
    height: row.height,
    thumbnail: row.thumbnail_jpeg
      ? { jpeg: row.thumbnail_jpeg, width: row.thumbnail_width, height: row.thumbnail_height }
      : undefined,
    createdAtMs: Number(row.created_ms),
    expiresAtMs: Number(row.expires_ms),
  };
}

/** A 1:1 peer ('' for a group) per conversation the media was sent to. */
export interface Attachment {
  conversationId: string;
  recipientId: string;
}

/** The media and media_attachments tables. */
export class MediaStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Inserts a pending upload unless the owner already has `maxPending`
   * unexpired ones; answers false then. A transaction-scoped advisory lock
   * on the owner makes count and insert one step, so parallel requests
   * cannot pass the cap together.
   */
  async insertPending(
    mediaId: string,
    upload: ValidUpload,
    ttlMs: number,
    maxPending: number,
  ): Promise<MediaRecord | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7104))", [
        `media-pending:${upload.ownerId}`,
      ]);
      const { rows: counted } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM media
          WHERE owner_id = $1 AND state = 'pending' AND expires_at > now()`,
        [upload.ownerId],
      );
      if (Number(counted[0]!.n) >= maxPending) {
        await client.query("ROLLBACK");
        return undefined;
      }
      const { rows } = await client.query<MediaRow>(
        `INSERT INTO media (media_id, owner_id, content_type, size_bytes, sha256, file_name,
                            state, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', now() + $7 * interval '1 millisecond')
         RETURNING ${COLUMNS}`,
        [
          mediaId,
          upload.ownerId,
          upload.contentType,
          upload.sizeBytes,
          upload.sha256,
          upload.fileName,
          ttlMs,
        ],
      );
      await client.query("COMMIT");
      return toRecord(rows[0]!);
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async find(mediaId: string): Promise<MediaRecord | undefined> {
    const { rows } = await this.pool.query<MediaRow>(
      `SELECT ${COLUMNS} FROM media WHERE media_id = $1`,
      [mediaId],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * Marks a pending upload ready with what verification found, unless the
   * sweeper may already have taken it (its grant ended more than `graceMs`
   * ago, by the same clock the sweeper reads). Answers the ready record,
   * also when another call completed it first, and nothing otherwise.
   */
  async markReady(
    mediaId: string,
    verified: Verified,
    graceMs: number,
  ): Promise<MediaRecord | undefined> {
    const { rows } = await this.pool.query<MediaRow>(
      `UPDATE media
          SET state = 'ready', width = $2, height = $3, thumbnail_jpeg = $4,
              thumbnail_width = $5, thumbnail_height = $6, completed_at = now()
        WHERE media_id = $1 AND state = 'pending'
          AND expires_at > now() - $7 * interval '1 millisecond'
        RETURNING ${COLUMNS}`,
      [
        mediaId,
        verified.width,
        verified.height,
        verified.thumbnail?.jpeg ?? null,
        verified.thumbnail?.width ?? 0,
        verified.thumbnail?.height ?? 0,
        graceMs,
      ],
    );
    if (rows[0]) return toRecord(rows[0]);
    const now = await this.find(mediaId);
    return now?.state === "ready" ? now : undefined;
  }

  /** Records that the media was sent to the conversation; a repeat changes nothing. */
  async attach(mediaId: string, attachment: Attachment): Promise<void> {
    await this.pool.query(
      `INSERT INTO media_attachments (media_id, conversation_id, recipient_id)
       VALUES ($1, $2, $3)
       ON CONFLICT (media_id, conversation_id) DO NOTHING`,
      [mediaId, attachment.conversationId, attachment.recipientId],
    );
  }

  async attachments(mediaId: string): Promise<Attachment[]> {
    const { rows } = await this.pool.query<{ conversation_id: string; recipient_id: string }>(
      `SELECT conversation_id, recipient_id FROM media_attachments
        WHERE media_id = $1 ORDER BY attached_at`,
      [mediaId],
    );
    return rows.map((r) => ({ conversationId: r.conversation_id, recipientId: r.recipient_id }));
  }

  /**
   * Up to `limit` pending uploads whose grant ended more than `graceMs`
   * ago, oldest first. The grace lets a completion that started just
   * before the end finish before its object is swept away.
   */
  async expiredPending(limit: number, graceMs: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ media_id: string }>(
      `SELECT media_id FROM media
        WHERE state = 'pending' AND expires_at <= now() - $2 * interval '1 millisecond'
        ORDER BY expires_at LIMIT $1`,
      [limit, graceMs],
    );
    return rows.map((r) => r.media_id);
  }

  /** Deletes those rows that are still pending (a late completion wins). */
  async deletePending(mediaIds: string[]): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM media WHERE media_id = ANY ($1::uuid[]) AND state = 'pending'`,
      [mediaIds],
    );
    return result.rowCount ?? 0;
  }
}
