-- Groups, membership events and receipt watermarks.
--
-- Groups are created and changed by ConversationService, which owns their
-- rows; 1:1 conversations keep being derived from the log. Every new column
-- lives in an existing, already distributed table, so no new distribution
-- is needed; the new index leads with user_conversations' distribution
-- column (user_id), as Citus requires.

-- Up Migration

ALTER TABLE conversations
  -- A group's title; NULL for a 1:1 conversation.
  ADD COLUMN title text,
  -- A group's creator; NULL for a 1:1 conversation.
  ADD COLUMN created_by text,
  -- Grows by one with every membership change (0 for 1:1 conversations).
  ADD COLUMN membership_version bigint NOT NULL DEFAULT 0;

ALTER TABLE conversation_members
  ADD COLUMN role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
  -- Receipt watermarks. They only grow, and read never passes delivered:
  -- RecordReceipts keeps both true, the CHECK catches a bug that would not.
  ADD COLUMN delivered_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN read_seq bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT read_not_ahead_of_delivered CHECK (read_seq <= delivered_seq);

-- A stored membership change ({action, actor_id, user_ids, title}); NULL for
-- other events. Kept so that GetHistory returns the event as it was logged.
ALTER TABLE messages ADD COLUMN membership jsonb;

-- The conversation list pages by keyset on (last_message_at DESC,
-- conversation_id); the index serves that order, one user at a time.
CREATE INDEX user_conversations_page
  ON user_conversations (user_id, last_message_at DESC, conversation_id);
DROP INDEX user_conversations_recent;

-- Down Migration

CREATE INDEX user_conversations_recent
  ON user_conversations (user_id, last_message_at DESC);
DROP INDEX user_conversations_page;
ALTER TABLE messages DROP COLUMN membership;
ALTER TABLE conversation_members
  DROP CONSTRAINT read_not_ahead_of_delivered,
  DROP COLUMN read_seq,
  DROP COLUMN delivered_seq,
  DROP COLUMN role;
ALTER TABLE conversations
  DROP COLUMN membership_version,
  DROP COLUMN created_by,
  DROP COLUMN title;
