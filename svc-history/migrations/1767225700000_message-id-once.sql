-- A message id is stored once per conversation. Ids derive from the send's
-- idempotency key, so a retry that reached the log twice (possible when NATS
-- crashed after storing a send but before acking it, which also loses the
-- stream's duplicate memory once the entry left the log) keeps its first
-- copy only. The index leads with the distribution column, as Citus needs.

-- Up Migration

CREATE UNIQUE INDEX messages_message_id ON messages (conversation_id, message_id);

-- Down Migration

DROP INDEX messages_message_id;
