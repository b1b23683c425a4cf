-- svc-presence's table: when each user was last seen online. Runs inside
-- the schema named by DATABASE_SCHEMA, with its own migrations table
-- (presence_migrations), so it may share a schema with svc-history.
--
-- Citus-ready: keyed and distributed by user_id, the column every query
-- names.

-- Up Migration

CREATE TABLE last_seen (
  user_id text PRIMARY KEY,
  -- When the user's last device left (the start of the grace period that
  -- ended with the user offline).
  last_seen_at timestamptz NOT NULL
);

-- PL/pgSQL resolves function names only when a statement runs, so on plain
-- Postgres the Citus call below is never looked up.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    PERFORM create_distributed_table('last_seen', 'user_id');
  END IF;
END
$$;

-- Down Migration

DROP TABLE last_seen;
