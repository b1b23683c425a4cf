-- The stored conversation log. Runs inside the schema named by
-- DATABASE_SCHEMA (node-pg-migrate sets search_path to it).
--
-- Citus-ready: conversations, conversation_members and messages are keyed
-- by conversation_id first and colocated, so a conversation's reads and
-- writes route to one shard; user_conversations is keyed by user_id, the
-- column its reads start from. Nothing is keyed or distributed by time:
-- old messages leave by retention, not by dropping partitions.

-- Up Migration

CREATE TABLE conversations (
  conversation_id text PRIMARY KEY,
  -- "direct" for 1:1 conversations (ids starting with d_), "group" otherwise.
  kind text NOT NULL,
  -- sent_at of the earliest event stored for the conversation.
  created_at timestamptz NOT NULL
);

CREATE TABLE conversation_members (
  conversation_id text NOT NULL,
  user_id text NOT NULL,
  -- The lowest seq of an event that listed the user as a member.
  joined_seq bigint NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);

CREATE TABLE messages (
  conversation_id text NOT NULL,
  -- The MESSAGES stream sequence of the entry: one order per conversation.
  seq bigint NOT NULL,
  message_id text NOT NULL,
  sender_id text NOT NULL,
  sender_device_id text NOT NULL,
  client_message_id text NOT NULL,
  sent_at timestamptz NOT NULL,
  -- NULL for events without a text payload.
  body text,
  stored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE user_conversations (
  user_id text NOT NULL,
  conversation_id text NOT NULL,
  last_seq bigint NOT NULL,
  last_message_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
);

-- The conversation list: a user's conversations, most recent first.
CREATE INDEX user_conversations_recent
  ON user_conversations (user_id, last_message_at DESC);

-- PL/pgSQL resolves function names only when a statement runs, so on plain
-- Postgres the Citus calls below are never looked up.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    PERFORM create_distributed_table('conversations', 'conversation_id');
    PERFORM create_distributed_table('conversation_members', 'conversation_id',
      colocate_with => 'conversations');
    PERFORM create_distributed_table('messages', 'conversation_id',
      colocate_with => 'conversations');
    PERFORM create_distributed_table('user_conversations', 'user_id');
  END IF;
END
$$;

-- Down Migration

DROP TABLE user_conversations;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
