-- svc-media's tables: the metadata of each upload and the conversations
-- each media was sent to. Runs inside the schema named by DATABASE_SCHEMA,
-- with its own migrations table (media_migrations), so it may share a
-- schema with the other services.
--
-- Citus-ready: both tables are keyed and distributed by media_id and
-- colocated, so every per-media query and the attachment join stay on one
-- shard. The two per-owner and expiry queries (the pending cap, the
-- sweeper) fan out to all shards; both are small and indexed.

-- Up Migration

CREATE TABLE media (
  media_id uuid PRIMARY KEY,
  owner_id text NOT NULL,
  -- As declared at CreateUpload and checked at CompleteUpload.
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  -- 64 lower-case hex digits.
  sha256 text NOT NULL,
  -- Sanitised; may be empty. Never used as an object key.
  file_name text NOT NULL DEFAULT '',
  state text NOT NULL CHECK (state IN ('pending', 'ready')),
  -- Image pixel size after EXIF rotation; 0 for other media.
  width integer NOT NULL DEFAULT 0,
  height integer NOT NULL DEFAULT 0,
  -- The thumbnail's bytes (a few KB), so AttachMedia answers without
  -- reading storage; NULL for media without one.
  thumbnail_jpeg bytea,
  thumbnail_width integer NOT NULL DEFAULT 0,
  thumbnail_height integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- End of the upload grant: a pending row past it is swept.
  expires_at timestamptz NOT NULL,
  completed_at timestamptz
);

-- The pending cap counts an owner's pending uploads; the sweeper finds
-- expired ones. Ready media (the bulk) is in neither index.
CREATE INDEX media_pending_owner ON media (owner_id) WHERE state = 'pending';
CREATE INDEX media_pending_expiry ON media (expires_at) WHERE state = 'pending';

CREATE TABLE media_attachments (
  media_id uuid NOT NULL,
  conversation_id text NOT NULL,
  -- The peer of a 1:1 conversation; '' for a group, whose members are
  -- asked of svc-history at download time.
  recipient_id text NOT NULL DEFAULT '',
  attached_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (media_id, conversation_id)
);

-- PL/pgSQL resolves function names only when a statement runs, so on plain
-- Postgres the Citus calls below are never looked up.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    PERFORM create_distributed_table('media', 'media_id');
    PERFORM create_distributed_table('media_attachments', 'media_id', colocate_with => 'media');
  END IF;
END
$$;

-- Down Migration

DROP TABLE media_attachments;
DROP TABLE media;
