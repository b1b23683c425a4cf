-- Media carried by messages.
--
-- The attachment is stored as svc-media described it when the message was
-- sent: the encoded parley.events.v1.MediaAttachment (id, type, size,
-- checksum, file name, dimensions and a thumbnail of a few kilobytes).
-- Kept as the protobuf bytes rather than columns: history only hands it
-- back, never queries inside it, and the bytes round-trip exactly. The
-- column lives in the already distributed messages table.

-- Up Migration

ALTER TABLE messages ADD COLUMN media bytea;

-- Down Migration

ALTER TABLE messages DROP COLUMN media;
